package org.resnet4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.resnet4j.ResNet4j;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.Engines;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.vision.Preprocessing;
import org.resnet4j.vision.Preset;

/**
 * Whatever one image throws while it is decoded or preprocessed (a refusal, a decoder's
 * RuntimeException, an OutOfMemoryError), it is that image's failure only: the others are
 * classified, with the same predictions as when classified alone.
 */
class ClassifierFailureTest {
    static final Path ROOT = PythonReference.root();
    static final Path GOLDEN = ROOT.resolve("testdata/golden/tiny_basic");

    @Test
    void oneFailingImageDoesNotStopTheOthers() {
        ModelProto model = ResNet4j.buildModel(
                SpecJson.read(GOLDEN.resolve("spec.json")),
                ResNet4j.loadWeights(GOLDEN.resolve("weights.pth")),
                ResNet4j.ExportOptions.defaults());
        Preprocessing pre = Preprocessing.imagenet(Preset.V1);
        Path images = ROOT.resolve("testdata/images");
        Path good1 = images.resolve("photo420.jpg");
        Path good2 = images.resolve("rgb_wide.png");
        Path good3 = images.resolve("gray.png");
        Path runtime = Path.of("runtime.png");
        Path oom = Path.of("oom.png");
        Path refused = ROOT.resolve("testdata/hostile/r2-img-3000000x1.png");
        try (Engine engine = Engines.open(Engines.Kind.JAVA, model, EngineOptions.defaults(), "tiny")) {
            List<String> labels = Classifier.labelsFor(Classifier.numClasses(model), null);
            Classifier failing = new Classifier(
                    engine,
                    (Path f) -> {
                        if (f.equals(runtime)) {
                            throw new NegativeArraySizeException("-1769803776");
                        } else if (f.equals(oom)) {
                            throw new OutOfMemoryError("Java heap space");
                        }
                        return pre.apply(f);
                    },
                    labels);
            Classifier.Report r =
                    failing.classifyFiles(List.of(good1, runtime, good2, oom, refused, good3), 2, 3, false, null);
            assertEquals(
                    List.of(good1, good2, good3),
                    r.results().stream().map(Classifier.Result::image).toList());
            assertEquals(
                    List.of(runtime, oom, refused),
                    r.errors().stream().map(FileBatches.Failure::image).toList());
            assertTrue(
                    r.errors().get(0).message().startsWith("runtime.png: cannot preprocess the image"),
                    r.errors().toString());
            assertTrue(
                    r.errors().get(1).message().startsWith("oom.png: out of memory"),
                    r.errors().toString());
            assertTrue(
                    r.errors().get(2).message().contains("would be resized to 768000000x256"),
                    r.errors().toString());

            Classifier plain = new Classifier(engine, pre, labels);
            Classifier.Report alone = plain.classifyFiles(List.of(good1, good2, good3), 3, 3, false, null);
            assertEquals(alone.results(), r.results(), "the good images' predictions");
        }
    }
}
