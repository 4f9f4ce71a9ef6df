package org.resnet4j.engine.jvm;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.spec.Presets;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.Parity;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * Whole models against torchvision at the size they were made for and at small inputs (1x1, 8x8,
 * 32x32: last stages at 1x1, every tile at a border, taps cut), on the Java engine at this JVM's vector
 * width. The suite runs it once per width (-Dresnet4j.vectorBits=128|256|512, and scalar), so every
 * width's NCHWc blocks, GEMM tiles and Winograd transforms are held to the same promise.
 * References: tools/torch_sizes_reference.py (torchvision 0.14, seeded random weights). Live: skipped
 * without torch unless CI=true.
 */
class TorchvisionSizesTest {
    static final List<Integer> SIZES = List.of(1, 8, 32, 224);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18", "resnet50", "resnext50_32x4d"})
    void matchesTorchvisionAtEverySize(String arch) {
        PythonReference.require();
        String sizes = String.join(",", SIZES.stream().map(String::valueOf).toList());
        Path dir = PythonReference.cached("torch_sizes_reference.py", "--arch", arch, "--sizes", sizes, "--seed", "23");
        ModelProto model = OnnxBuild.buildModel(
                Presets.get(arch),
                OnnxBuild.loadWeights(dir.resolve("weights.pth")),
                OnnxBuild.ExportOptions.defaults());
        String width = JavaEngine.vectorBits() > 0 ? JavaEngine.vectorBits() + "-bit" : "scalar";
        try (JavaEngine engine = new JavaEngine(model, 2)) {
            for (int s : SIZES) {
                Tensor x = Npy.read(dir.resolve("input_" + s + ".npy"));
                Tensor want = Npy.read(dir.resolve("output_" + s + ".npy"));
                Parity.assertClose(
                        arch + " " + s + "x" + s + " (Java " + width + " vs torchvision)",
                        engine.run(x),
                        want,
                        Parity.TORCH_TOLERANCE);
            }
        }
    }
}
