package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.resnet4j.Device;
import org.resnet4j.ResNet4jException;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.engine.jvm.ops.Value;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.TestModels;

/**
 * Load-time folding folds only what no input value can change: a Shape of a value whose shape follows
 * from an input's values (ConstantOfShape's shape, Reshape's target) runs per input, and gives what
 * ONNX Runtime gives; a Shape of a value whose shape follows from fixed input shapes alone is folded.
 */
class ConstantFoldingTest {
    static NodeProto node(String op, List<String> in, String out) {
        return TestModels.node(op, in, out);
    }

    static ModelProto model(List<NodeProto> nodes, List<ValueInfoProto> inputs, ValueInfoProto output) {
        GraphProto g = GraphProto.newBuilder()
                .setName("folding")
                .addAllNode(nodes)
                .addAllInput(inputs)
                .addOutput(output)
                .build();
        return TestModels.of(g, 17);
    }

    static void assertJavaEqualsOrt(String what, ModelProto m, Map<String, Tensor> in, int[] shape, float[] values) {
        try (JavaEngine java = new JavaEngine(m, 1);
                OrtEngine ort = new OrtEngine(m.toByteArray(), new EngineOptions(Device.CPU, 1, "all"), what)) {
            Tensor j = java.run(in).get("y").astype(DType.FLOAT32);
            Tensor o = ort.run(in).get("y").astype(DType.FLOAT32);
            assertArrayEquals(shape, o.shape(), what + ": ONNX Runtime's shape");
            assertArrayEquals(values, o.toArray(), what + ": ONNX Runtime's values");
            assertArrayEquals(o.shape(), j.shape(), what + ": the Java engine's shape");
            assertArrayEquals(o.toArray(), j.toArray(), what + ": the Java engine's values");
        }
    }

    @Test
    void shapeOfConstantOfShapeFollowsTheInput() {
        // y = Shape(ConstantOfShape(n)) = n, for an int64 input n: zeros would have folded it to [0, 0]
        ModelProto m = model(
                List.of(node("ConstantOfShape", List.of("n"), "c"), node("Shape", List.of("c"), "y")),
                List.of(Onnx.valueInfo("n", DType.INT64, 2)),
                Onnx.valueInfo("y", DType.INT64, 2));
        Tensor n = Tensor.ofLongs(new int[] {2}, new long[] {3, 5});
        assertJavaEqualsOrt("Shape(ConstantOfShape(n))", m, Map.of("n", n), new int[] {2}, new float[] {3, 5});
    }

    @Test
    void reshapeToAShapeReadFromAnInputShapedValue() {
        // r = Reshape(x, t) with t an input; y = Reshape(z, Shape(r)): the layout t asks for, not x's own
        ModelProto m = model(
                List.of(
                        node("Reshape", List.of("x", "t"), "r"),
                        node("Shape", List.of("r"), "s"),
                        node("Reshape", List.of("z", "s"), "y")),
                List.of(
                        Onnx.floatValueInfo("x", 4, 3),
                        Onnx.valueInfo("t", DType.INT64, 2),
                        Onnx.floatValueInfo("z", 12)),
                Onnx.floatValueInfo("y", "a", "b"));
        float[] z = new float[12];
        for (int i = 0; i < z.length; i++) {
            z[i] = i;
        }
        Map<String, Tensor> in = Map.of(
                "x", Tensor.zeros(4, 3),
                "t", Tensor.ofLongs(new int[] {2}, new long[] {6, 2}),
                "z", Tensor.of(new int[] {12}, z));
        assertJavaEqualsOrt("Reshape(z, Shape(Reshape(x, t)))", m, in, new int[] {6, 2}, z);
    }

    @Test
    void shapeOfAFixedShapeChainIsFolded() {
        // y = Reshape(z, Shape(Relu(x))) with x fixed at [4, 3]: nothing left for the run but the Reshape
        ModelProto m = model(
                List.of(
                        node("Relu", List.of("x"), "r"),
                        node("Shape", List.of("r"), "s"),
                        node("Reshape", List.of("z", "s"), "y")),
                List.of(Onnx.floatValueInfo("x", 4, 3), Onnx.floatValueInfo("z", 12)),
                Onnx.floatValueInfo("y", 4, 3));
        try (JavaEngine java = new JavaEngine(m, 1)) {
            assertEquals(2, java.plannedSteps(), "Relu and Reshape run; Shape was folded");
        }
        float[] z = new float[12];
        java.util.Arrays.fill(z, 2f);
        assertJavaEqualsOrt(
                "Reshape(z, Shape(Relu(x)))",
                m,
                Map.of("x", Tensor.zeros(4, 3), "z", Tensor.of(new int[] {12}, z)),
                new int[] {4, 3},
                z);
    }

    /** Shape(ConstantOfShape(n)) with n a constant: folded at load when small, left to the run when large. */
    static ModelProto shapeOfConstantOfShape(long n) {
        NodeProto dims = NodeProto.newBuilder()
                .setOpType("Constant")
                .setName("dims")
                .addOutput("n")
                .addAttribute(org.resnet4j.onnx.AttributeProto.newBuilder()
                        .setName("value")
                        .setType(org.resnet4j.onnx.AttributeProto.AttributeType.TENSOR)
                        .setT(org.resnet4j.onnx.TensorProto.newBuilder()
                                .setDataType(org.resnet4j.onnx.TensorProto.DataType.INT64_VALUE)
                                .addDims(1)
                                .addInt64Data(n)))
                .build();
        return model(
                List.of(dims, node("ConstantOfShape", List.of("n"), "c"), node("Shape", List.of("c"), "y")),
                List.of(),
                Onnx.valueInfo("y", DType.INT64, 1));
    }

    @Test
    void foldingStaysWithinItsBudget() {
        try (JavaEngine small = new JavaEngine(shapeOfConstantOfShape(1000), 1)) {
            assertEquals(0, small.plannedSteps(), "a small ConstantOfShape and its Shape are folded at load");
            assertArrayEquals(new long[] {1000}, small.run(Map.of()).get("y").toLongArray());
        }
        // 2^28 elements, 1 GiB of floats, would have been made at load before any input was read
        try (JavaEngine big = new JavaEngine(shapeOfConstantOfShape(1L << 28), 1)) {
            assertEquals(
                    2, big.plannedSteps(), "ConstantOfShape([2^28]) is over the budget: it runs, if ever, per run");
        }
    }

    /**
     * DequantizeLinear of an int8 initializer read nowhere else is folded whatever the budget (it frees
     * as many elements as it makes), and the int8 constant leaves the constants; a second reader keeps
     * both the constant and, over the budget, the node.
     */
    @Test
    void aFoldThatFreesItsInputsIsNotRefusedByTheBudget() {
        byte[] q = {-128, -3, 0, 5, 127, 64};
        Map<String, Value> constants = new java.util.HashMap<>();
        constants.put("w", Value.of(Tensor.ofInt8(new int[] {6}, q)));
        constants.put("s", Value.floats(new int[0], new float[] {0.25f}));
        constants.put("z", Value.of(Tensor.ofInt8(new int[0], new byte[] {1})));
        List<NodeProto> order = List.of(node("DequantizeLinear", List.of("w", "s", "z"), "wd"));
        List<NodeProto> left = ConstantFolding.fold(order, constants, Map.of(), java.util.Set.of("wd"), 17, 2);
        assertEquals(List.of(), left, "folded though its 6 elements are over a budget of 2");
        assertTrue(!constants.containsKey("w"), "the int8 weights are freed");
        float[] expected = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            expected[i] = (q[i] - 1) * 0.25f; // (x - zero point) * scale, exact in float
        }
        assertArrayEquals(expected, constants.get("wd").f());

        Map<String, Value> shared = new java.util.HashMap<>();
        shared.put("w", Value.of(Tensor.ofInt8(new int[] {6}, q)));
        shared.put("s", Value.floats(new int[0], new float[] {0.25f}));
        List<NodeProto> twice = List.of(
                node("DequantizeLinear", List.of("w", "s"), "wd"), node("DequantizeLinear", List.of("w", "s"), "wc"));
        List<NodeProto> kept = ConstantFolding.fold(twice, shared, Map.of(), java.util.Set.of("wd", "wc"), 17, 2);
        assertEquals(2, kept.size(), "w has two readers: folding either frees nothing and the budget refuses both");
        assertTrue(shared.containsKey("w"));
    }

    @Test
    void aRunRefusesAValueOutOfProportionToModelAndInputs() {
        // the same 150-byte model at run time: 2^28 floats is far beyond 16x its constants and inputs
        try (JavaEngine big = new JavaEngine(shapeOfConstantOfShape(1L << 28), 1)) {
            String m = assertThrows(ResNet4jException.EngineException.class, () -> big.run(Map.of()))
                    .getMessage();
            assertTrue(m.contains("ConstantOfShape"), m);
            assertTrue(m.contains("a value of 268435456 elements, over the " + Plan.VALUE_FLOOR), m);
        }
        // at the floor it still runs: the cap is not below what a model of any size may use
        try (JavaEngine atFloor = new JavaEngine(shapeOfConstantOfShape(Plan.VALUE_FLOOR), 1)) {
            assertArrayEquals(
                    new long[] {Plan.VALUE_FLOOR},
                    atFloor.run(Map.of()).get("y").toLongArray());
        }
    }
}
