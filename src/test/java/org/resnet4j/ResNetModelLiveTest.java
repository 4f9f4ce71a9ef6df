package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.vision.ImageNetLabels;

/**
 * Live: {@link ResNetModel} answers as torchvision does, on both engines. A seeded random
 * torchvision resnet18 (tools/torch_reference.py) classifies and embeds images from
 * testdata/images given as streams and as BufferedImages; tools/classify_reference.py runs
 * torchvision on PIL, with {@code model.fc = nn.Identity()} for the embeddings. Same top-5 in the
 * same order, probabilities within 1e-5 absolute, embeddings within 1e-5 relative (max |ours - ref|
 * / max |ref| per image). Eight threads sharing one model get bit-identical results.
 */
class ResNetModelLiveTest {
    static final double PROBABILITY_TOLERANCE = 1e-5;
    static final double EMBEDDING_TOLERANCE = 1e-5;
    /** PNGs decode to BufferedImages with ImageIO as they are stored; JPEGs go through streams only. */
    static final List<String> PNGS = List.of("rgb_wide.png", "rgb_tall.png", "rgba.png", "palette.png", "gray.png");

    static final List<String> IMAGES = List.of(
            "rgb_wide.png", "rgb_tall.png", "rgba.png", "palette.png", "gray.png", "photo420.jpg", "progressive.jpg");

    @TempDir
    static Path dir;

    static Path weights;
    static JsonNode reference;
    static Tensor features;

    @BeforeAll
    static void torchvision() throws Exception {
        PythonReference.require();
        PythonReference.run(
                "torch_reference.py",
                "--arch",
                "resnet18",
                "--seed",
                "11",
                "--batch",
                "1",
                "--height",
                "32",
                "--width",
                "32",
                "--out-dir",
                dir.toString(),
                "--no-timings");
        weights = dir.resolve("weights.pth");
        PythonReference.Classified ref = PythonReference.classify(
                "resnet18",
                weights,
                5,
                IMAGES.stream().map(f -> image(f).toString()).toList(),
                dir);
        reference = ref.results();
        features = ref.features();
    }

    static Path image(String name) {
        return PythonReference.root().resolve("testdata/images").resolve(name);
    }

    static ResNetModel open(String engine) {
        return ResNetModel.builder().weights(weights).engine(engine).threads(2).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ort", "java"})
    void classifiesAndEmbedsAsTorchvision(String engine) throws Exception {
        double worstP = 0;
        double worstE = 0;
        try (ResNetModel model = open(engine)) {
            assertEquals(512, model.embeddingSize());
            assertEquals(1000, model.numClasses());
            for (int i = 0; i < IMAGES.size(); i++) {
                String name = IMAGES.get(i);
                List<Prediction> top;
                float[] emb;
                try (InputStream in = Files.newInputStream(image(name))) {
                    top = model.classify(in, 5);
                }
                try (InputStream in = Files.newInputStream(image(name))) {
                    emb = model.embed(in);
                }
                worstP = Math.max(
                        worstP,
                        checkTop(engine + " " + name, top, reference.get(i).get("top")));
                worstE = Math.max(worstE, checkEmbedding(engine + " " + name, emb, i));
                if (PNGS.contains(name)) {
                    BufferedImage img = ImageIO.read(image(name).toFile());
                    assertEquals(top, model.classify(img, 5), name + ": BufferedImage and stream differ");
                    assertArrayEquals(emb, model.embed(img), name + ": BufferedImage and stream differ");
                }
            }
            List<BufferedImage> batch = new ArrayList<>();
            for (String png : PNGS) {
                batch.add(ImageIO.read(image(png).toFile()));
            }
            List<float[]> batched = model.embed(batch);
            List<List<Prediction>> tops = model.classify(batch, 5);
            for (int i = 0; i < PNGS.size(); i++) {
                int row = IMAGES.indexOf(PNGS.get(i));
                worstE = Math.max(worstE, checkEmbedding(engine + " batched " + PNGS.get(i), batched.get(i), row));
                worstP = Math.max(
                        worstP,
                        checkTop(
                                engine + " batched " + PNGS.get(i),
                                tops.get(i),
                                reference.get(row).get("top")));
            }
        }
        System.out.printf(
                Locale.ROOT,
                "ResNetModel (%s) vs torchvision (resnet18, %d images): same top-5, max probability "
                        + "difference %.2e, max embedding relative error %.2e%n",
                engine,
                IMAGES.size(),
                worstP,
                worstE);
    }

    /**
     * A fine-tuned model's own preprocessing ({@link ImageTransform#of}: resize 160, crop 144, its own
     * mean and std) against torchvision's {@code ImageClassification} with the same settings, over
     * files (classifyFiles, embedFiles) and bytes.
     */
    @Test
    void customTransformMatchesTorchvision() throws Exception {
        List<String> paths = IMAGES.stream().map(f -> image(f).toString()).toList();
        Path custom = Files.createDirectories(dir.resolve("custom"));
        PythonReference.Classified ref = PythonReference.classify(
                "resnet18",
                weights,
                5,
                paths,
                custom,
                List.of("--resize", "160", "--crop", "144", "--mean", "0.5,0.4,0.3", "--std", "0.2,0.25,0.3"));
        ImageTransform t = ImageTransform.of(160, 144, new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f});
        double worstP = 0;
        double worstE = 0;
        try (ResNetModel model = ResNetModel.builder()
                .weights(weights)
                .preprocessing(t)
                .threads(2)
                .build()) {
            assertEquals(t, model.preprocessing());
            List<Path> files = IMAGES.stream().map(ResNetModelLiveTest::image).toList();
            List<ImageResult<List<Prediction>>> tops = model.classifyFiles(files, 5);
            List<ImageResult<float[]>> embs = model.embedFiles(files);
            List<ImageBytes> bytes = new ArrayList<>();
            for (Path f : files) {
                bytes.add(new ImageBytes(f.toString(), Files.readAllBytes(f)));
            }
            List<ImageResult<List<Prediction>>> fromBytes = model.classifyBytes(bytes, 5);
            for (int i = 0; i < files.size(); i++) {
                String what = "custom transform " + IMAGES.get(i);
                worstP = Math.max(
                        worstP,
                        checkTop(what, value(tops.get(i)), ref.results().get(i).get("top")));
                assertEquals(value(tops.get(i)), value(fromBytes.get(i)), what + ": bytes and file differ");
                worstE = Math.max(worstE, checkEmbedding(what, value(embs.get(i)), ref.features(), i));
            }
        }
        System.out.printf(
                Locale.ROOT,
                "ResNetModel with ImageTransform.of(160, 144, mean, std) vs torchvision ImageClassification "
                        + "(%d images): same top-5, max probability difference %.2e, max embedding relative error %.2e%n",
                IMAGES.size(),
                worstP,
                worstE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ort", "java"})
    void eightThreadsSharingOneModelGetIdenticalResults(String engine) throws Exception {
        try (ResNetModel model = open(engine)) {
            List<BufferedImage> images = new ArrayList<>();
            for (String png : PNGS) {
                images.add(ImageIO.read(image(png).toFile()));
            }
            List<List<Prediction>> expectTop = new ArrayList<>();
            List<float[]> expectEmb = new ArrayList<>();
            for (BufferedImage img : images) {
                expectTop.add(model.classify(img, 5));
                expectEmb.add(model.embed(img));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> {
                        for (int r = 0; r < 3; r++) {
                            for (int j = 0; j < images.size(); j++) {
                                int i = (j + offset) % images.size();
                                assertEquals(expectTop.get(i), model.classify(images.get(i), 5));
                                assertArrayEquals(expectEmb.get(i), model.embed(images.get(i)));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static <T> T value(ImageResult<T> r) {
        assertTrue(r.ok(), r.image() + ": " + r.error());
        return r.value();
    }

    private static double checkTop(String what, List<Prediction> ours, JsonNode ref) {
        assertEquals(5, ours.size());
        List<String> labels = ImageNetLabels.load();
        double worst = 0;
        for (int k = 0; k < 5; k++) {
            int index = ref.get(k).get("index").asInt();
            assertEquals(index, ours.get(k).index(), what + ": top-5 rank " + k + "\nours " + ours + "\ntorch " + ref);
            assertEquals(labels.get(index), ours.get(k).label());
            double d = Math.abs(
                    ours.get(k).probability() - ref.get(k).get("probability").asDouble());
            assertTrue(d <= PROBABILITY_TOLERANCE, what + ": probability differs by " + d);
            worst = Math.max(worst, d);
        }
        return worst;
    }

    private static double checkEmbedding(String what, float[] ours, int row) {
        return checkEmbedding(what, ours, features, row);
    }

    private static double checkEmbedding(String what, float[] ours, Tensor features, int row) {
        int d = features.dim(1);
        assertEquals(d, ours.length, what + ": embedding width");
        float[] ref = features.toArray();
        double maxDiff = 0;
        double maxRef = 0;
        for (int j = 0; j < d; j++) {
            maxDiff = Math.max(maxDiff, Math.abs(ours[j] - ref[row * d + j]));
            maxRef = Math.max(maxRef, Math.abs(ref[row * d + j]));
        }
        double rel = maxDiff / maxRef;
        assertTrue(
                rel <= EMBEDDING_TOLERANCE,
                what + ": embedding relative error " + rel + " (max abs diff " + maxDiff + ")");
        return rel;
    }
}
