package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.resnet4j.testing.Messages.assertContains;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.TestModels;

/**
 * The generic runner: a small non-ResNet graph (y = relu(x) + b) from a file, bytes and a stream, on
 * both engines, against the hand-computed answer; wrong inputs are one clear error; closed is closed.
 */
class OnnxModelTest {
    @TempDir
    Path dir;

    Path model() throws Exception {
        GraphProto g = GraphProto.newBuilder()
                .setName("relu_plus_b")
                .addNode(TestModels.node("Relu", List.of("x"), "r"))
                .addNode(TestModels.node("Add", List.of("r", "b"), "y"))
                .addInitializer(Onnx.floatTensor("b", Tensor.of(new int[] {3}, new float[] {1, 2, 3})))
                .addInput(Onnx.floatValueInfo("x", "N", 3))
                .addOutput(Onnx.floatValueInfo("y", "N", 3))
                .build();
        Path f = dir.resolve("m.onnx");
        Files.write(f, TestModels.of(g, 13).toByteArray());
        return f;
    }

    @Test
    void runsAnyModelOnBothEnginesFromFileBytesAndStream() throws Exception {
        Path f = model();
        byte[] bytes = Files.readAllBytes(f);
        Tensor x = Tensor.of(new int[] {2, 3}, new float[] {-1, 0, 5, 2, -3, 0.5f});
        float[] want = {1, 2, 8, 3, 2, 3.5f};
        for (EngineType e : EngineType.values()) {
            for (OnnxModel m : new OnnxModel[] {
                OnnxModel.open(f, e),
                OnnxModel.open(bytes, "bytes", e, Device.CPU, 1, null),
                OnnxModel.open(new ByteArrayInputStream(bytes), "stream", e, Device.CPU, 1, null)
            }) {
                try (m) {
                    assertEquals("x", m.inputs().get(0).name());
                    assertArrayEquals(new long[] {-1, 3}, m.inputs().get(0).shape());
                    assertEquals(List.of("y"), m.outputNames());
                    assertArrayEquals(want, m.run(Map.of("x", x)).get("y").toArray(), e + " " + m.describe());
                }
            }
        }
    }

    @Test
    void wrongInputsAndClosedModelsAreClearErrors() throws Exception {
        try (OnnxModel m = OnnxModel.open(model(), EngineType.JAVA)) {
            ResNet4jException.MismatchException e = assertThrows(
                    ResNet4jException.MismatchException.class, () -> m.run(Map.of("x", Tensor.zeros(2, 4))));
            assertContains(e.getMessage(), "'x'", "[2, 4]", "x float32 [?, 3]");
            m.close();
            assertThrows(IllegalStateException.class, () -> m.run(Map.of("x", Tensor.zeros(1, 3))));
        }
    }
}
