package org.resnet4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.resnet4j.ResNet4jException.EngineException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.tensor.Tensor;

class OrtEngineTest {

    /** y = x W^T + b with x (N, 3), W (2, 3): a one-node Gemm built from protobuf builders. */
    static ModelProto gemmModel() {
        Tensor w = Tensor.of(new int[] {2, 3}, new float[] {1, 2, 3, -1, 0.5f, 0});
        Tensor b = Tensor.of(new int[] {2}, new float[] {0.25f, -4});
        GraphProto g = GraphProto.newBuilder()
                .setName("gemm")
                .addNode(NodeProto.newBuilder().setOpType("Gemm").addInput("x").addInput("w").addInput("b").addOutput("y")
                        .addAttribute(Onnx.intAttr("transB", 1)))
                .addInitializer(Onnx.floatTensor("w", w))
                .addInitializer(Onnx.floatTensor("b", b))
                .addInput(Onnx.floatValueInfo("x", "N", 3))
                .addOutput(Onnx.floatValueInfo("y", "N", 2))
                .build();
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build();
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
            assertTrue(ex.getMessage().contains("[2, 4]") && ex.getMessage().contains("[?, 3]"), ex.getMessage());
        }
    }

    @Test
    void closedEngineIsMisuse() {
        OrtEngine e = new OrtEngine(gemmModel().toByteArray(), new EngineOptions(EngineOptions.Device.CPU, 1, "basic"), "gemm");
        e.close();
        assertThrows(IllegalStateException.class, () -> e.run(Tensor.zeros(1, 3)));
    }

    @Test
    void cudaWithoutProviderSaysWhatIsMissing() {
        var ex = assertThrows(EngineException.class, () -> new OrtEngine(gemmModel().toByteArray(),
                new EngineOptions(EngineOptions.Device.CUDA, 0, "all"), "gemm").close());
        assertTrue(ex.getMessage().contains("-Pgpu") && ex.getMessage().contains("CUDA 12")
                && ex.getMessage().contains("cuDNN 9"), ex.getMessage());
    }

    @Test
    void garbageModelIsRefusedBeforeOrtSeesIt() {
        // bytes given to the library are validated as a file's would be
        var ex = assertThrows(org.resnet4j.ResNet4jException.FormatException.class,
                () -> new OrtEngine(new byte[] {1, 2, 3}, EngineOptions.defaults(), "junk.onnx"));
        assertTrue(ex.getMessage().contains("junk.onnx"), ex.getMessage());
    }
}
