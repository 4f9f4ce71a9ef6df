package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.build.Int8Model;
import org.resnet4j.engine.jvm.kernels.Kernels;
import org.resnet4j.engine.jvm.kernels.NaiveSgemm;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.onnx.TypeProto;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.CheckpointFormat;
import org.resnet4j.weights.LoadedCheckpoint;

/**
 * The load-time fusion of QuantizeLinear → DequantizeLinear into one float → float node: the same
 * bits as the two nodes run one by one (ties at .5, saturation, NaN and ±inf, per tensor and per
 * axis, int8 and uint8), on hand-made graphs and on a whole QDQ resnet18; and left alone wherever the
 * integers are needed or the pair's parameters differ.
 */
class QuantizeDequantizeFusionTest {
    /** x (N, C, H, W) in the hand-made graphs: odd sizes, C the per-axis channels. */
    static final int[] X_SHAPE = {2, 3, 5, 7};

    /** One pair's parameters: its zero point type (null: omitted), scales, zero points, axis (null: none). */
    record Pair(int opset, DType type, float[] scales, long[] zeroPoints, Long axis, boolean outputDtypeInt8) {
        int[] paramShape() {
            return scales.length == 1 ? new int[0] : new int[] {scales.length};
        }

        /** Q's node, reading x, writing q. */
        NodeProto quantize() {
            NodeProto.Builder n = NodeProto.newBuilder()
                    .setOpType("QuantizeLinear")
                    .setName("q")
                    .addInput("x")
                    .addInput("scale")
                    .addOutput("q");
            if (type != null) {
                n.addInput("zero_point");
            }
            if (axis != null) {
                n.addAttribute(Onnx.intAttr("axis", axis));
            }
            if (outputDtypeInt8) {
                n.addAttribute(Onnx.intAttr("output_dtype", DType.INT8.onnxCode()));
            }
            return n.build();
        }

        /** A DQ node reading q with the parameters under {@code prefix}, writing {@code out}. */
        NodeProto dequantize(String name, String prefix, String out) {
            NodeProto.Builder n = NodeProto.newBuilder()
                    .setOpType("DequantizeLinear")
                    .setName(name)
                    .addInput("q")
                    .addInput(prefix + "scale")
                    .addOutput(out);
            if (type != null) {
                n.addInput(prefix + "zero_point");
            }
            if (axis != null) {
                n.addAttribute(Onnx.intAttr("axis", axis));
            }
            return n.build();
        }

        /** The scale and zero point initializers, named with {@code prefix}. */
        List<TensorProto> parameters(String prefix) {
            List<TensorProto> out = new ArrayList<>();
            out.add(Onnx.floatTensor(prefix + "scale", Tensor.of(paramShape(), scales)));
            if (type != null) {
                byte[] b = new byte[zeroPoints.length];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) zeroPoints[i];
                }
                Tensor z = type == DType.INT8 ? Tensor.ofInt8(paramShape(), b) : Tensor.ofUint8(paramShape(), b);
                out.add(Onnx.tensor(prefix + "zero_point", z));
            }
            return out;
        }
    }

    /** The pairs tested: per tensor and per axis, int8 and uint8, zero points omitted, opsets 10-21. */
    static final Map<String, Pair> PAIRS = new LinkedHashMap<>();

    static {
        PAIRS.put("per-tensor int8", new Pair(17, DType.INT8, new float[] {0.5f}, new long[] {3}, null, false));
        PAIRS.put("per-tensor uint8", new Pair(13, DType.UINT8, new float[] {0.1f}, new long[] {128}, null, false));
        PAIRS.put(
                "per-tensor uint8, opset 10",
                new Pair(10, DType.UINT8, new float[] {0.75f}, new long[] {7}, null, false));
        PAIRS.put(
                "per-tensor, zero point omitted (uint8 0)", new Pair(17, null, new float[] {0.25f}, null, null, false));
        PAIRS.put("per-tensor, output_dtype int8", new Pair(21, null, new float[] {0.3f}, null, null, true));
        PAIRS.put(
                "per-axis int8, axis 1",
                new Pair(17, DType.INT8, new float[] {0.25f, 1f, 0.1f}, new long[] {-128, 0, 127}, 1L, false));
        PAIRS.put(
                "per-axis uint8, axis -1",
                new Pair(
                        19,
                        DType.UINT8,
                        new float[] {0.5f, 0.2f, 3f, 0.05f, 1f, 0.125f, 7f},
                        new long[] {0, 255, 128, 1, 17, 200, 3},
                        -1L,
                        false));
        PAIRS.put(
                "per-axis uint8, default axis",
                new Pair(13, DType.UINT8, new float[] {0.5f, 0.02f, 2f}, new long[] {10, 0, 255}, null, false));
    }

    /**
     * x for {@code p}: exact .5 ties of each element's step, in range and far past both ends of the
     * type, NaN, ±inf, -0.0, and Gaussian values; seeded.
     */
    static Tensor input(Pair p, long seed) {
        Random r = new Random(seed);
        int n = 1;
        for (int d : X_SHAPE) {
            n *= d;
        }
        int axis = p.axis() == null ? 1 : (int) (p.axis() < 0 ? p.axis() + X_SHAPE.length : p.axis());
        int inner = 1;
        for (int d = axis + 1; d < X_SHAPE.length; d++) {
            inner *= X_SHAPE[d];
        }
        float[] x = new float[n];
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 3e38f, -1e20f};
        for (int i = 0; i < n; i++) {
            float step = p.scales()[p.scales().length == 1 ? 0 : (i / inner) % p.scales().length];
            x[i] = switch (r.nextInt(8)) {
                case 0, 1, 2 -> (r.nextInt(601) - 300 + 0.5f) * step;
                case 3 -> special[r.nextInt(special.length)];
                default -> (float) r.nextGaussian() * 100 * step;
            };
        }
        return Tensor.of(X_SHAPE, x);
    }

    static ModelProto model(int opset, List<TensorProto> inits, List<NodeProto> nodes, Map<String, DType> outputs) {
        GraphProto.Builder g = GraphProto.newBuilder()
                .setName("qdq")
                .addInput(Onnx.valueInfo(
                        "x",
                        DType.FLOAT32,
                        java.util.Arrays.stream(X_SHAPE).boxed().toArray()))
                .addAllInitializer(inits)
                .addAllNode(nodes);
        outputs.forEach((name, type) -> g.addOutput(ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.onnxCode())))));
        return ModelProto.newBuilder()
                .setIrVersion(opset <= 18 ? 8 : 9)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(g)
                .build();
    }

    /** Q → DQ → y with {@code p}'s parameters. */
    static ModelProto pair(Pair p) {
        return model(
                p.opset(),
                p.parameters(""),
                List.of(p.quantize(), p.dequantize("dq", "", "y")),
                Map.of("y", DType.FLOAT32));
    }

    /** The run of {@code m} fused (all fusions, QDQ pairs included), with how many nodes the plan kept. */
    record Run(Map<String, Tensor> outputs, int steps, String describe) {}

    static Run fused(ModelProto m, Tensor x) {
        try (JavaEngine e = new JavaEngine(m, 2, Kernels.defaultSgemm(), true, Kernels.blockedLayout(), true)) {
            return new Run(e.run(Map.of("x", x)), e.plannedSteps(), e.describe());
        }
    }

    /** Every node as written, one by one: the reference. */
    static Run nodeByNode(ModelProto m, Tensor x) {
        try (JavaEngine e = new JavaEngine(m, 1, NaiveSgemm.INSTANCE, false)) {
            return new Run(e.run(Map.of("x", x)), e.plannedSteps(), e.describe());
        }
    }

    /** Same values, bit for bit (float outputs compared as raw bits, integer ones as longs). */
    static void assertSameBits(String what, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": type");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        if (expected.dtype() != DType.FLOAT32) {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what);
            return;
        }
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            int ei = Float.floatToRawIntBits(e[i]);
            int ai = Float.floatToRawIntBits(a[i]);
            if (ei != ai) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", expected " + e[i] + " (bits "
                        + Integer.toHexString(ai) + " vs " + Integer.toHexString(ei) + ")");
            }
        }
    }

    @Test
    void everyPairIsFusedWithTheBitsOfTheTwoNodes() {
        long seed = 40;
        for (Map.Entry<String, Pair> c : PAIRS.entrySet()) {
            ModelProto m = pair(c.getValue());
            Tensor x = input(c.getValue(), seed++);
            Run fused = fused(m, x);
            Run reference = nodeByNode(m, x);
            assertTrue(fused.describe().contains("1 q+dq"), c.getKey() + ": " + fused.describe());
            assertEquals(1, fused.steps(), c.getKey() + ": one node instead of two");
            assertEquals(2, reference.steps(), c.getKey() + ": the reference runs both");
            assertSameBits(
                    c.getKey(), reference.outputs().get("y"), fused.outputs().get("y"));
        }
    }

    @Test
    void handComputedInt8() {
        // scale 0.5, zero point 3, int8: x / 0.5 rounded half to even, + 3, saturated to [-128, 127],
        // then (q - 3) * 0.5. NaN quantizes to -128 (ONNX Runtime's kernel), ±inf saturate
        Pair p = PAIRS.get("per-tensor int8");
        float[] xs = {
            1.25f,
            1.75f,
            -1.25f,
            -1.75f,
            1000f,
            -1000f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            -0f,
            0.25f,
            0.75f
        };
        float[] want = {1f, 2f, -1f, -2f, 62f, -65.5f, -65.5f, 62f, -65.5f, 0f, 0f, 1f};
        float[] x = new float[2 * 3 * 5 * 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = xs[i % xs.length];
        }
        Tensor y = fused(pair(p), Tensor.of(X_SHAPE, x)).outputs().get("y");
        for (int i = 0; i < x.length; i++) {
            assertEquals(want[i % want.length], y.get(i), "x = " + x[i]);
        }
    }

    @Test
    void equalParametersUnderOtherNamesAndSeveralReadersFuseOnce() {
        // torch.onnx's QDQ graphs give each reader its own DequantizeLinear (and often its own copy of
        // the parameters): the first becomes the fused node, the second a view of its output
        Pair p = PAIRS.get("per-axis int8, axis 1");
        List<TensorProto> inits = new ArrayList<>(p.parameters(""));
        inits.addAll(p.parameters("b."));
        ModelProto m = model(
                p.opset(),
                inits,
                List.of(
                        p.quantize(),
                        p.dequantize("dq1", "", "a"),
                        p.dequantize("dq2", "b.", "b"),
                        NodeProto.newBuilder()
                                .setOpType("Mul")
                                .setName("mul")
                                .addInput("a")
                                .addInput("b")
                                .addOutput("y")
                                .build()),
                Map.of("y", DType.FLOAT32, "b", DType.FLOAT32));
        Tensor x = input(p, 7);
        Run fused = fused(m, x);
        Run reference = nodeByNode(m, x);
        assertTrue(fused.describe().contains("1 q+dq"), fused.describe());
        assertEquals(reference.steps() - 1, fused.steps(), "Q and DQ fused, the second DQ an Identity");
        assertSameBits("y", reference.outputs().get("y"), fused.outputs().get("y"));
        assertSameBits(
                "b (a graph output)",
                reference.outputs().get("b"),
                fused.outputs().get("b"));
    }

    /** Graphs where the pair must stay two nodes. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "the integers are a graph output",
                "another op reads the integers",
                "the DequantizeLinear's scale differs",
                "the DequantizeLinear's zero point differs",
                "the DequantizeLinear's zero point is omitted",
                "the DequantizeLinear's axis differs"
            })
    void pairsThatMustStayApart(String why) {
        Pair p = PAIRS.get("per-axis int8, axis 1");
        List<TensorProto> inits = new ArrayList<>(p.parameters(""));
        List<NodeProto> nodes = new ArrayList<>(List.of(p.quantize()));
        Map<String, DType> outputs = new LinkedHashMap<>(Map.of("y", DType.FLOAT32));
        NodeProto dq = p.dequantize("dq", "", "y");
        switch (why) {
            case "the integers are a graph output" -> outputs.put("q", DType.INT8);
            case "another op reads the integers" -> {
                nodes.add(NodeProto.newBuilder()
                        .setOpType("Cast")
                        .setName("cast")
                        .addInput("q")
                        .addOutput("c")
                        .addAttribute(Onnx.intAttr("to", DType.FLOAT32.onnxCode()))
                        .build());
                outputs.put("c", DType.FLOAT32);
            }
            case "the DequantizeLinear's scale differs" -> {
                float[] s = p.scales().clone();
                s[2] = Math.nextUp(s[2]);
                inits.add(Onnx.floatTensor("b.scale", Tensor.of(p.paramShape(), s)));
                dq = dq.toBuilder().setInput(1, "b.scale").build();
            }
            case "the DequantizeLinear's zero point differs" -> {
                inits.add(Onnx.tensor("b.zero_point", Tensor.ofInt8(p.paramShape(), new byte[] {-128, 1, 127})));
                dq = dq.toBuilder().setInput(2, "b.zero_point").build();
            }
            case "the DequantizeLinear's zero point is omitted" ->
                dq = dq.toBuilder().clearInput().addInput("q").addInput("scale").build();
            case "the DequantizeLinear's axis differs" ->
                dq = dq.toBuilder()
                        .clearAttribute()
                        .addAttribute(Onnx.intAttr("axis", -3))
                        .build();
            default -> throw new IllegalArgumentException(why);
        }
        nodes.add(dq);
        ModelProto m = model(p.opset(), inits, nodes, outputs);
        Tensor x = input(p, 11);
        Run fused = fused(m, x);
        Run reference = nodeByNode(m, x);
        assertFalse(fused.describe().contains("q+dq"), why + ": " + fused.describe());
        assertEquals(reference.steps(), fused.steps(), why + ": both nodes stay");
        for (String o : outputs.keySet()) {
            assertSameBits(
                    why + ", output " + o,
                    reference.outputs().get(o),
                    fused.outputs().get(o));
        }
    }

    /**
     * A whole QDQ resnet18 as {@code resnet4j quantize} writes it (uint8 activations, int8 weights per
     * channel and per tensor, seeded weights and ranges): the same logits bits with the pairs fused as
     * with them run as two nodes, every other fusion and kernel alike.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void wholeQdqResnet18HasTheSameLogitsBits(boolean perChannel) {
        ResNetSpec spec = Presets.get("resnet18").withNumClasses(10);
        LoadedCheckpoint floats = new LoadedCheckpoint(
                Path.of("random-resnet18"),
                CheckpointFormat.PYTORCH_ZIP,
                null,
                null,
                RandomInit.weights(GraphBuilder.build(spec, false), 18));
        Random r = new Random(18);
        Map<String, float[]> ranges = new LinkedHashMap<>();
        for (String module : Int8Model.observedValues(spec).keySet()) {
            ranges.put(module, new float[] {-0.5f - 2 * r.nextFloat(), 1f + 6 * r.nextFloat()});
        }
        ModelProto m = Int8Model.build(spec, floats, ranges, perChannel, 17, "{}");
        Tensor x = RandomInit.normal(18, 2, 3, 61, 53);
        try (JavaEngine pairs = new JavaEngine(m, 2, Kernels.defaultSgemm(), true, Kernels.blockedLayout(), true);
                JavaEngine apart = new JavaEngine(m, 2, Kernels.defaultSgemm(), true, Kernels.blockedLayout(), false)) {
            assertTrue(pairs.describe().contains(" q+dq"), pairs.describe());
            assertFalse(apart.describe().contains("q+dq"), apart.describe());
            Tensor fused = pairs.run(x);
            Tensor reference = apart.run(x);
            assertSameBits("resnet18 int8 logits, per channel " + perChannel, reference, fused);
            // the logits are not all one value: the pairs quantized something
            assertTrue(fused.get(0) != fused.get(1) || fused.get(1) != fused.get(2), "logits " + fused);
        }
    }
}
