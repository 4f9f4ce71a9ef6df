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
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.engine.jvm.JavaEngine;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.TestModels;

/**
 * ONNX Runtime ends the process (SIGFPE, exit 134) on an integer INT64_MIN / -1 or a division by zero.
 * A model that could make it do so is refused before a session exists, naming the node; the Java engine
 * runs it. Exporters' shape arithmetic, which divides by constants, and float division stay accepted.
 */
class OrtDivisionGuardTest {
    static final EngineOptions CPU = new EngineOptions(Device.CPU, 1, "all");

    static ModelProto div(DType type, TensorProto divisor) {
        GraphProto.Builder g = GraphProto.newBuilder()
                .setName("div")
                .addNode(TestModels.node("Div", List.of("a", "b"), "y"))
                .addInput(Onnx.valueInfo("a", type, 2))
                .addOutput(Onnx.valueInfo("y", type, 2));
        if (divisor == null) {
            g.addInput(Onnx.valueInfo("b", type, 2));
        } else {
            g.addInitializer(divisor);
        }
        return TestModels.of(g.build(), 17);
    }

    static TensorProto longs(long... v) {
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName("b")
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(v.length);
        for (long x : v) {
            t.addInt64Data(x);
        }
        return t.build();
    }

    @Test
    void integerDivisionByARunTimeValueIsRefusedForOrt() {
        ModelProto m = div(DType.INT64, null);
        UnsupportedModelException e =
                assertThrows(UnsupportedModelException.class, () -> new OrtEngine(m.toByteArray(), CPU, "div").close());
        assertTrue(e.getMessage().contains("node 'Div_y' (Div) divides integers by 'b'"), e.getMessage());
        assertContains(e.getMessage(), "SIGFPE", "--engine java");
        // the Java engine runs it: Java's division does not trap (INT64_MIN / -1 wraps to INT64_MIN)
        try (JavaEngine java = new JavaEngine(m, 1)) {
            Map<String, Tensor> in = Map.of(
                    "a", Tensor.ofLongs(new int[] {2}, new long[] {Long.MIN_VALUE, 7}),
                    "b", Tensor.ofLongs(new int[] {2}, new long[] {-1, 2}));
            assertArrayEquals(
                    new long[] {Long.MIN_VALUE, 3}, java.run(in).get("y").toLongArray());
        }
    }

    @Test
    void constantDivisorsAreCheckedForZeroAndMinusOne() {
        for (long[] bad : List.of(new long[] {2, 0}, new long[] {-1, 3})) {
            ModelProto m = div(DType.INT64, longs(bad));
            UnsupportedModelException e = assertThrows(
                    UnsupportedModelException.class, () -> new OrtEngine(m.toByteArray(), CPU, "div").close());
            assertTrue(e.getMessage().contains("by the constant 'b'"), e.getMessage());
        }
        try (OrtEngine ort = new OrtEngine(div(DType.INT64, longs(2, -3)).toByteArray(), CPU, "div")) {
            Tensor y = ort.run(Map.of("a", Tensor.ofLongs(new int[] {2}, new long[] {224, 9})))
                    .get("y");
            assertArrayEquals(new long[] {112, -3}, y.toLongArray());
        }
    }

    /** The divisor as raw little-endian bytes, as exporters write it (and as a model parsed in place holds it). */
    static TensorProto rawLongs(long... v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return TensorProto.newBuilder()
                .setName("b")
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(v.length)
                .setRawData(com.google.protobuf.ByteString.copyFrom(b.array()))
                .build();
    }

    @Test
    void rawDivisorsAreReadWhereTheyAreInTheFile() {
        // the engine gets the model parsed in place, its raw bytes a view into the file's array at an offset
        for (long[] bad : List.of(new long[] {2, 0}, new long[] {-1, 3})) {
            byte[] file = div(DType.INT64, rawLongs(bad)).toByteArray();
            UnsupportedModelException e =
                    assertThrows(UnsupportedModelException.class, () -> new OrtEngine(file, CPU, "div").close());
            assertContains(e.getMessage(), "by the constant 'b'", "holds " + (bad[1] == 0 ? 0 : -1));
        }
        try (OrtEngine ort = new OrtEngine(div(DType.INT64, rawLongs(2, -3)).toByteArray(), CPU, "div")) {
            assertArrayEquals(
                    new long[] {112, -3},
                    ort.run(Map.of("a", Tensor.ofLongs(new int[] {2}, new long[] {224, 9})))
                            .get("y")
                            .toLongArray());
        }
    }

    @Test
    void floatDivisionIsNotTouched() {
        try (OrtEngine ort = new OrtEngine(div(DType.FLOAT32, null).toByteArray(), CPU, "div")) {
            Tensor y = ort.run(Map.of(
                            "a", Tensor.of(new int[] {2}, new float[] {1, -1}),
                            "b", Tensor.of(new int[] {2}, new float[] {0, 0})))
                    .get("y");
            assertEquals(Float.POSITIVE_INFINITY, y.get(0));
            assertEquals(Float.NEGATIVE_INFINITY, y.get(1));
        }
    }
}
