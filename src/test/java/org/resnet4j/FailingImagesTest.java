package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.testing.TestImages;
import org.resnet4j.vision.Preprocessing;

/**
 * Whatever one image throws while it is decoded or preprocessed (a refusal, a decoder's
 * RuntimeException, an OutOfMemoryError), it is that image's failed result only: the others are
 * classified, with the same predictions as when classified alone, and the results come in input
 * order. The same holds for images given as bytes.
 */
class FailingImagesTest {
    static final Path ROOT = PythonReference.root();
    static final Path GOLDEN = ROOT.resolve("testdata/golden/tiny_basic");

    static ResNetModel tiny() {
        return ResNetModel.builder()
                .weights(GOLDEN.resolve("weights.pth"))
                .architecture(Architecture.specFile(GOLDEN.resolve("spec.json")))
                .engine("java")
                .threads(1)
                .build();
    }

    @Test
    void oneFailingImageDoesNotStopTheOthers() {
        Preprocessing pre = TestImages.imagenet(256);
        Path images = ROOT.resolve("testdata/images");
        Path good1 = images.resolve("photo420.jpg");
        Path good2 = images.resolve("rgb_wide.png");
        Path good3 = images.resolve("gray.png");
        Path runtime = Path.of("runtime.png");
        Path oom = Path.of("oom.png");
        Path refused = ROOT.resolve("testdata/hostile/r2-img-3000000x1.png");
        List<Path> files = List.of(good1, runtime, good2, oom, refused, good3);
        try (ResNetModel model = tiny();
                ImageBatches failing = ImageBatches.start(
                        files, new ImageBatches.Options(2, 2, 1), ImageBatches.Decoder.ofTensors((Path f) -> {
                            if (f.equals(runtime)) {
                                throw new NegativeArraySizeException("-1769803776");
                            } else if (f.equals(oom)) {
                                throw new OutOfMemoryError("Java heap space");
                            }
                            return pre.apply(f);
                        }))) {
            List<ImageResult<List<Prediction>>> r = new ArrayList<>();
            model.classifyFiles(failing, 3, r::add);
            assertEquals(
                    files.stream().map(Path::toString).toList(),
                    r.stream().map(ImageResult::image).toList());
            assertEquals(
                    List.of(true, false, true, false, false, true),
                    r.stream().map(ImageResult::ok).toList());
            assertTrue(
                    r.get(1).error().startsWith("runtime.png: cannot preprocess the image"),
                    r.get(1).error());
            assertTrue(
                    r.get(3).error().startsWith("oom.png: out of memory"),
                    r.get(3).error());
            assertTrue(
                    r.get(4).error().contains("would be resized to 768000000x256"),
                    r.get(4).error());

            List<ImageResult<List<Prediction>>> alone = model.classifyFiles(List.of(good1, good2, good3), 3);
            assertEquals(alone, List.of(r.get(0), r.get(2), r.get(5)), "the good images' predictions");
        }
    }

    @Test
    void imagesAsBytesFailOneByOne() throws Exception {
        Path images = ROOT.resolve("testdata/images");
        byte[] good = Files.readAllBytes(images.resolve("photo420.jpg"));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 3);
        try (ResNetModel model = tiny()) {
            List<ImageResult<List<Prediction>>> r = model.classifyBytes(
                    List.of(
                            new ImageBytes("a", good),
                            new ImageBytes("empty", new byte[0]),
                            new ImageBytes("cut", truncated),
                            new ImageBytes("text", "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                            new ImageBytes("b", good)),
                    2);
            assertEquals(
                    List.of(true, false, false, false, true),
                    r.stream().map(ImageResult::ok).toList());
            assertEquals("empty: empty file (0 bytes)", r.get(1).error());
            assertTrue(r.get(2).error().startsWith("cut"), r.get(2).error());
            assertTrue(r.get(3).error().startsWith("text"), r.get(3).error());
            assertEquals(r.get(0).value(), r.get(4).value(), "the same image, the same answer");
            assertEquals(
                    model.classify(new java.io.ByteArrayInputStream(good), 2),
                    r.get(0).value());
        }
    }

    @Test
    void kIsOneToTheNumberOfClasses() {
        try (ResNetModel model = tiny()) {
            int classes = model.numClasses();
            Tensor x = Tensor.zeros(1, 3, 32, 32);
            assertEquals(classes, model.classify(x, classes).get(0).size());
            for (int k : new int[] {0, -1, classes + 1}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.classify(x, k));
                assertEquals("k is " + k + ", expected 1 to " + classes + " (the model's classes)", e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> model.classifyFiles(List.of(), k));
                assertThrows(IllegalArgumentException.class, () -> model.classifyBytes(List.of(), k));
            }
        }
    }

    @Test
    void aMissingCheckpointIsAFileAccessErrorNamingIt() {
        Path missing = GOLDEN.resolve("no-such-weights.pth");
        ResNet4jException.FileAccessException e = assertThrows(
                ResNet4jException.FileAccessException.class,
                () -> ResNetModel.builder().weights(missing).build());
        assertContains(e.getMessage(), missing.toString(), "does not exist");
    }

    @Test
    void aModelsOwnImageLimitsApplyToWhatItDecodes() throws Exception {
        Path photo = ROOT.resolve("testdata/images/photo420.jpg");
        byte[] bytes = Files.readAllBytes(photo);
        try (ResNetModel strict = ResNetModel.builder()
                        .weights(GOLDEN.resolve("weights.pth"))
                        .architecture(Architecture.specFile(GOLDEN.resolve("spec.json")))
                        .engine("java")
                        .maxImagePixels(100)
                        .maxImageBytes(bytes.length - 1)
                        .build();
                ResNetModel plain = tiny()) {
            String pixels = strict.classifyFiles(List.of(photo), 1).get(0).error();
            assertContains(pixels, photo.toString(), "exceeds the limit of 100 pixels");
            String length = strict.classifyBytes(List.of(new ImageBytes("upload", bytes)), 1)
                    .get(0)
                    .error();
            assertContains(length, "upload", "longer than " + (bytes.length - 1) + " bytes");
            assertThrows(
                    ResNet4jException.UnsafeContentException.class,
                    () -> strict.classify(new java.io.ByteArrayInputStream(bytes), 1));
            // the limits are the model's, not the process's
            assertTrue(plain.classifyBytes(List.of(new ImageBytes("upload", bytes)), 1)
                    .get(0)
                    .ok());
        }
    }
}
