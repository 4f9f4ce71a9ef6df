package org.resnet4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.resnet4j.Device;
import org.resnet4j.ResNet4jException.EngineException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.tensor.TensorSpec;
import org.resnet4j.testing.TestModels;

class OrtEngineTest {

    /** y = x W^T + b with x (N, 3), W (2, 3): a one-node Gemm built from protobuf builders. */
    static ModelProto gemmModel() {
        Tensor w = Tensor.of(new int[] {2, 3}, new float[] {1, 2, 3, -1, 0.5f, 0});
        Tensor b = Tensor.of(new int[] {2}, new float[] {0.25f, -4});
        GraphProto g = GraphProto.newBuilder()
                .setName("gemm")
                .addNode(NodeProto.newBuilder()
                        .setOpType("Gemm")
                        .addInput("x")
                        .addInput("w")
                        .addInput("b")
                        .addOutput("y")
                        .addAttribute(Onnx.intAttr("transB", 1)))
                .addInitializer(Onnx.floatTensor("w", w))
                .addInitializer(Onnx.floatTensor("b", b))
                .addInput(Onnx.floatValueInfo("x", "N", 3))
                .addOutput(Onnx.floatValueInfo("y", "N", 2))
                .build();
        return TestModels.of(g, 17);
    }

    @Test
    void runsHandComputedGemm() {
        try (OrtEngine e = new OrtEngine(gemmModel().toByteArray(), EngineOptions.defaults(), "gemm")) {
            assertEquals(List.of("x"), e.inputNames());
            assertEquals(List.of("y"), e.outputNames());
            Tensor x = Tensor.of(new int[] {2, 3}, new float[] {1, 1, 1, 2, -2, 4});
            Tensor y = e.run(x);
            // row 0: [1+2+3+0.25, -1+0.5+0-4]; row 1: [2-4+12+0.25, -2-1+0-4]
            assertArrayEquals(new int[] {2, 2}, y.shape());
            assertArrayEquals(new float[] {6.25f, -4.5f, 10.25f, -7f}, y.toArray());
        }
    }

    @Test
    void wrongInputShapeNamesBothShapes() {
        try (OrtEngine e = new OrtEngine(gemmModel().toByteArray(), EngineOptions.defaults(), "gemm")) {
            var ex = assertThrows(MismatchException.class, () -> e.run(Tensor.zeros(2, 4)));
            assertContains(ex.getMessage(), "[2, 4]", "[?, 3]");
        }
    }

    /**
     * Four inputs of four types and five outputs of five: g = Gather(x, idx, axis 1) float32,
     * pos = x > 0 bool, shp = Shape(x) int64, w = Cast(u, int32), hh = h + h float16.
     */
    static ModelProto typedModel() {
        GraphProto g = GraphProto.newBuilder()
                .setName("typed")
                .addNode(NodeProto.newBuilder()
                        .setOpType("Gather")
                        .addInput("x")
                        .addInput("idx")
                        .addOutput("g")
                        .addAttribute(Onnx.intAttr("axis", 1)))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Greater")
                        .addInput("x")
                        .addInput("zero")
                        .addOutput("pos"))
                .addNode(NodeProto.newBuilder().setOpType("Shape").addInput("x").addOutput("shp"))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Cast")
                        .addInput("u")
                        .addOutput("w")
                        .addAttribute(Onnx.intAttr("to", DType.INT32.onnxCode())))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Add")
                        .addInput("h")
                        .addInput("h")
                        .addOutput("hh"))
                .addInitializer(Onnx.floatTensor("zero", Tensor.of(new int[0], new float[] {0})))
                .addInput(Onnx.valueInfo("x", DType.FLOAT32, "N", 3))
                .addInput(Onnx.valueInfo("idx", DType.INT64, 2))
                .addInput(Onnx.valueInfo("u", DType.UINT8, "K"))
                .addInput(Onnx.valueInfo("h", DType.FLOAT16, 2))
                .addOutput(Onnx.valueInfo("g", DType.FLOAT32, "N", 2))
                .addOutput(Onnx.valueInfo("pos", DType.BOOL, "N", 3))
                .addOutput(Onnx.valueInfo("shp", DType.INT64, 2))
                .addOutput(Onnx.valueInfo("w", DType.INT32, "K"))
                .addOutput(Onnx.valueInfo("hh", DType.FLOAT16, 2))
                .build();
        return TestModels.of(g, 17);
    }

    @Test
    void takesAndReturnsEveryTensorType() {
        try (OrtEngine e = new OrtEngine(typedModel().toByteArray(), EngineOptions.defaults(), "typed")) {
            assertEquals(
                    "x float32 [?, 3], idx int64 [2], u uint8 [?], h float16 [2]", TensorSpec.describe(e.inputs()));
            Map<String, Tensor> out = e.run(Map.of(
                    "x", Tensor.of(new int[] {2, 3}, new float[] {1, -2, 3, -4, 5, -6}),
                    "idx", Tensor.ofLongs(new int[] {2}, new long[] {2, 0}),
                    "u", Tensor.ofUint8(new int[] {3}, new byte[] {(byte) 250, 0, 9}),
                    "h", Tensor.ofFloat16Bits(new int[] {2}, new short[] {0x3c00, (short) 0xc100})));
            assertEquals(List.of("g", "pos", "shp", "w", "hh"), List.copyOf(out.keySet()));
            assertArrayEquals(new float[] {3, 1, -6, -4}, out.get("g").toArray());
            assertEquals(DType.BOOL, out.get("pos").dtype());
            assertArrayEquals(
                    new boolean[] {true, false, true, false, true, false},
                    out.get("pos").toBooleanArray());
            assertEquals(DType.INT64, out.get("shp").dtype());
            assertArrayEquals(new long[] {2, 3}, out.get("shp").toLongArray());
            assertArrayEquals(new int[] {250, 0, 9}, out.get("w").toIntArray(), "uint8 read unsigned by ORT");
            assertEquals(DType.FLOAT16, out.get("hh").dtype());
            assertArrayEquals(new float[] {2f, -5f}, out.get("hh").toArray());
        }
    }

    @Test
    void wrongTypeOrNameListsTheModelsInputs() {
        try (OrtEngine e = new OrtEngine(typedModel().toByteArray(), EngineOptions.defaults(), "typed")) {
            var ex = assertThrows(
                    MismatchException.class,
                    () -> e.run(Map.of(
                            "x", Tensor.zeros(1, 3),
                            "idx", Tensor.of(new int[] {2}, new float[] {0, 1}),
                            "u", Tensor.ofUint8(new int[] {1}, new byte[] {1}),
                            "hh", Tensor.zeros(2))));
            String m = ex.getMessage();
            assertContains(
                    m,
                    "input 'idx' is float32, expected int64",
                    "input 'h' is missing",
                    "input 'hh' is not an input of the model",
                    "model inputs: x float32 [?, 3], idx int64 [2], u uint8 [?], h float16 [2]");
            var single = assertThrows(MismatchException.class, () -> e.run(Tensor.zeros(1, 3)));
            assertContains(single.getMessage(), "4 inputs", "idx int64 [2]");
        }
    }

    @Test
    void closedEngineIsMisuse() {
        OrtEngine e = new OrtEngine(gemmModel().toByteArray(), new EngineOptions(Device.CPU, 1, "basic"), "gemm");
        e.close();
        assertThrows(IllegalStateException.class, () -> e.run(Tensor.zeros(1, 3)));
    }

    @Test
    void cudaWithoutProviderSaysWhatIsMissing() {
        var ex = assertThrows(
                EngineException.class,
                () -> new OrtEngine(gemmModel().toByteArray(), new EngineOptions(Device.CUDA, 0, "all"), "gemm")
                        .close());
        assertContains(ex.getMessage(), "-Pgpu", "CUDA 12", "cuDNN 9");
    }

    @Test
    void garbageModelIsRefusedBeforeOrtSeesIt() {
        // bytes given to the library are validated as a file's would be
        var ex = assertThrows(
                org.resnet4j.ResNet4jException.FormatException.class,
                () -> new OrtEngine(new byte[] {1, 2, 3}, EngineOptions.defaults(), "junk.onnx"));
        assertTrue(ex.getMessage().contains("junk.onnx"), ex.getMessage());
    }
}
