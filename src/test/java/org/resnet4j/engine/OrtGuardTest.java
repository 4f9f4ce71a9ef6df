package org.resnet4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.Device;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.Parity;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * ONNX Runtime's Pad_Fusion against PyTorch, on the nets of tools/make_pad_fusion_cases.py: a zero
 * Pad before MaxPool is misfused by plain ORT and guarded by resnet4j; the siblings (AveragePool with
 * and without count_include_pad, a non-zero Pad before Conv, an odd Pad before Conv+BN) stay exact.
 */
class OrtGuardTest {
    static final Path CASES = PythonReference.root().resolve("testdata/ortpad");

    private static Tensor runOrt(String name, String level, boolean guard) {
        Path dir = CASES.resolve(name);
        EngineOptions options = new EngineOptions(Device.CPU, 1, level, guard);
        try (OrtEngine e = new OrtEngine(dir.resolve("model.onnx"), options)) {
            return e.run(Npy.read(dir.resolve("input.npy")));
        }
    }

    private static Comparison vsTorch(String name, String level, boolean guard) {
        return Comparison.of(
                name + " ort " + level + (guard ? "" : " unguarded"),
                runOrt(name, level, guard),
                Npy.read(CASES.resolve(name).resolve("output.npy")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"maxpool_opset9", "maxpool_opset11"})
    void zeroPadBeforeMaxPoolIsGuardedAndMatchesTorch(String name) {
        List<String> pads =
                OrtGuard.padsOrtWouldMisfuse(Onnx.read(CASES.resolve(name).resolve("model.onnx")));
        assertEquals(1, pads.size(), pads.toString());
        assertTrue(pads.get(0).endsWith("(Pad -> MaxPool)"), pads.toString());
        for (String level : List.of("basic", "extended", "all")) {
            Parity.assertClose(
                    name + " ort " + level + " (guarded) vs torch",
                    runOrt(name, level, true),
                    Npy.read(CASES.resolve(name).resolve("output.npy")),
                    Parity.TORCH_TOLERANCE);
        }
        // plain ORT gets it wrong: if this fails, ORT has fixed Pad_Fusion and the guard may go
        Comparison plain = vsTorch(name, "all", false);
        assertTrue(
                plain.relative() > 1e-4, name + ": plain ORT at all now matches torch (rel " + plain.relative() + ")");
        assertTrue(vsTorch(name, "none", false).relative() <= Parity.TORCH_TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "avgpool_exclude_opset11",
                "avgpool_include_opset11",
                "conv_value_opset11",
                "conv_bn_odd_pad_opset11"
            })
    void siblingsMatchTorchAtFullOptimisation(String name) {
        Path dir = CASES.resolve(name);
        // torch exports count_include_pad=True as its own zero Pad + AveragePool(count_include_pad=0): guarded too
        boolean guarded = name.startsWith("avgpool");
        assertEquals(
                guarded,
                !OrtGuard.padsOrtWouldMisfuse(Onnx.read(dir.resolve("model.onnx")))
                        .isEmpty(),
                name);
        for (boolean guard : List.of(true, false)) {
            Parity.assertClose(
                    name + " ort all" + (guard ? "" : " unguarded") + " vs torch",
                    runOrt(name, "all", guard),
                    Npy.read(dir.resolve("output.npy")),
                    Parity.TORCH_TOLERANCE);
        }
    }

    /** x -> Pad(value) -> next; the Pad's output optionally read a second time or MaxPool with Indices. */
    private static ModelProto padThen(int opset, float value, String next, boolean secondReader, boolean indices) {
        NodeProto.Builder pad = NodeProto.newBuilder()
                .setOpType("Pad")
                .setName("pad")
                .addInput("x")
                .addOutput("p");
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(Onnx.floatValueInfo("x", 1, 1, 4, 4));
        if (opset < 11) {
            pad.addAttribute(Onnx.intsAttr("pads", 0, 0, 1, 1, 0, 0, 1, 1))
                    .addAttribute(Onnx.floatAttr("value", value));
        } else {
            pad.addInput("pads").addInput("v");
            g.addInitializer(Onnx.tensor("pads", Tensor.ofLongs(new int[] {8}, new long[] {0, 0, 1, 1, 0, 0, 1, 1})));
            g.addInitializer(Onnx.floatTensor("v", Tensor.of(new int[0], new float[] {value})));
        }
        NodeProto.Builder pool = NodeProto.newBuilder()
                .setOpType(next)
                .addInput("p")
                .addOutput("y")
                .addAttribute(Onnx.intsAttr("kernel_shape", 3, 3))
                .addAttribute(Onnx.intsAttr("pads", 0, 0, 0, 0));
        if (indices) {
            pool.addOutput("i");
        }
        g.addNode(pad).addNode(pool).addOutput(Onnx.floatValueInfo("y", 1, 1, 4, 4));
        if (secondReader) {
            g.addNode(NodeProto.newBuilder().setOpType("Relu").addInput("p").addOutput("r"))
                    .addOutput(Onnx.floatValueInfo("r", 1, 1, 6, 6));
        }
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(g)
                .build();
    }

    @Test
    void detectsOnlyWhatPadFusionWouldFoldWrongly() {
        assertEquals(
                List.of("pad (Pad -> MaxPool)"),
                OrtGuard.padsOrtWouldMisfuse(padThen(17, 0f, "MaxPool", false, false)));
        assertEquals(
                1,
                OrtGuard.padsOrtWouldMisfuse(padThen(9, 0f, "MaxPool", false, false))
                        .size());
        assertEquals(
                1,
                OrtGuard.padsOrtWouldMisfuse(padThen(17, 0f, "AveragePool", false, false))
                        .size());
        assertTrue(
                OrtGuard.padsOrtWouldMisfuse(padThen(17, 0f, "Conv", false, false))
                        .isEmpty(),
                "Conv pads with zeros too");
        assertTrue(
                OrtGuard.padsOrtWouldMisfuse(padThen(17, 0.5f, "MaxPool", false, false))
                        .isEmpty(),
                "non-zero value");
        assertTrue(
                OrtGuard.padsOrtWouldMisfuse(padThen(9, 0.5f, "MaxPool", false, false))
                        .isEmpty(),
                "non-zero value");
        assertTrue(
                OrtGuard.padsOrtWouldMisfuse(padThen(17, -0f, "MaxPool", false, false))
                        .isEmpty(),
                "-0.0 has a non-zero byte, ORT does not fuse it");
        assertTrue(
                OrtGuard.padsOrtWouldMisfuse(padThen(17, 0f, "MaxPool", true, false))
                        .isEmpty(),
                "two readers");
        assertTrue(
                OrtGuard.padsOrtWouldMisfuse(padThen(17, 0f, "MaxPool", false, true))
                        .isEmpty(),
                "MaxPool with Indices");
    }

    @Test
    void handBuiltZeroPadMaxPoolIsExactWhenGuarded() {
        // all-negative input: every 3x3 window of the zero-padded 6x6 touches padding except the 4 inner ones,
        // so the right answer is 0 at the border windows and a negative value only inside
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = -1 - i;
        }
        Tensor in = Tensor.of(new int[] {1, 1, 4, 4}, x);
        ModelProto m = padThen(11, 0f, "MaxPool", false, false);
        try (OrtEngine guarded = new OrtEngine(m, new EngineOptions(Device.CPU, 1, "all"), "pad");
                OrtEngine plain = new OrtEngine(m, new EngineOptions(Device.CPU, 1, "all", false), "pad")) {
            assertTrue(guarded.describe().contains("Pad_Fusion off"), guarded.describe());
            float[] y = guarded.run(in).toArray();
            assertEquals(0f, y[0]);
            assertEquals(-1f, y[5], "window rows 1-3, cols 1-3 of the padded input = x[0..2][0..2], max -1");
            float[] wrong = plain.run(in).toArray();
            assertEquals(-1f, wrong[0], "plain ORT pads with -inf: the corner window's max is x[0][0] = -1, not 0");
        }
    }
}
