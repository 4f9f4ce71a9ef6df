package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.engine.jvm.kernels.Kernels;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.LoadedCheckpoint;
import org.resnet4j.weights.Npy;

/**
 * Live: torchvision's quantized resnet18 (tools/quantized_reference.py, onednn qconfig, seeded) as
 * resnet4j exports it, through the Java engine with its QuantizeLinear → DequantizeLinear pairs fused
 * and kept apart: the same logits bits (every other fusion and kernel alike).
 */
class QuantizeDequantizeFusionLiveTest {
    @TempDir
    Path dir;

    @Test
    void torchvisionQuantizedResnet18HasTheSameLogitsBits() {
        // Fused and unfused pairs meet the same kernels, so the equality does not depend on the vector
        // width: one of the Java engine's test runs (256 bits) checks it, the suite's time goes elsewhere.
        org.junit.jupiter.api.Assumptions.assumeTrue(
                "256".equals(System.getProperty("resnet4j.vectorBits")),
                "checked in the vector-256 run only (width-independent)");
        PythonReference.require();
        PythonReference.run(
                "quantized_reference.py",
                "--arch",
                "resnet18",
                "--engine",
                "onednn",
                "--run-engine",
                "onednn",
                "--size",
                "64",
                "--batch",
                "4",
                "--calibration-batches",
                "2",
                "--out-dir",
                dir.toString());
        LoadedCheckpoint c = OnnxBuild.loadWeights(dir.resolve("weights.pth"));
        ModelProto m = OnnxBuild.buildModel(OnnxBuild.inferSpec(c).spec(), c, OnnxBuild.ExportOptions.defaults());
        Tensor x = Npy.read(dir.resolve("input.npy"));
        try (JavaEngine pairs = new JavaEngine(m, 2, Kernels.defaultSgemm(), true, Kernels.blockedLayout(), true);
                JavaEngine apart = new JavaEngine(m, 2, Kernels.defaultSgemm(), true, Kernels.blockedLayout(), false)) {
            assertTrue(pairs.describe().contains(" q+dq"), pairs.describe());
            assertFalse(apart.describe().contains("q+dq"), apart.describe());
            QuantizeDequantizeFusionTest.assertSameBits("torchvision resnet18 int8 logits", apart.run(x), pairs.run(x));
        }
    }
}
