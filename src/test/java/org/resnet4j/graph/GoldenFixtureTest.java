package org.resnet4j.graph;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.build.OnnxBuild.ExportOptions;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.testing.Parity;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * Parity without Python: small torchvision models saved by tools/make_golden.py (weights, input,
 * torchvision's logits) through the real loader, graph builder and ONNX Runtime, folded and not.
 */
class GoldenFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny_basic", "tiny_bottleneck_grouped", "cifar_basic"})
    void matchesTorchvision(String name) {
        Path dir = PythonReference.root().resolve("testdata/golden").resolve(name);
        ResNetSpec spec = SpecJson.read(dir.resolve("spec.json"));
        var weights = OnnxBuild.loadWeights(dir.resolve("weights.pth"));
        var x = Npy.read(dir.resolve("input.npy"));
        var expected = Npy.read(dir.resolve("output.npy"));
        for (boolean fold : new boolean[] {false, true}) {
            ModelProto m = OnnxBuild.buildModel(spec, weights, new ExportOptions(17, fold));
            try (OrtEngine e = new OrtEngine(m.toByteArray(), EngineOptions.defaults(), name)) {
                Parity.assertClose(
                        name + (fold ? " folded" : "") + " (ORT vs torchvision, golden)",
                        e.run(x),
                        expected,
                        Parity.TORCH_TOLERANCE);
            }
        }
    }
}
