package org.resnet4j.engine.jvm.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resnet4j.arrays.BatchNormFold;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.NodeProto;

/**
 * Load-time rewrites of a topologically ordered node list, before it is compiled:
 * <ol>
 *   <li>BatchNormalization after a Conv is folded into the Conv's weights and bias;
 *   <li>Conv → Add (→ Relu) and Conv → Relu become one fused Conv whose GEMM applies bias,
 *       residual and Relu as it stores, so each activation is written once;
 *   <li>QuantizeLinear → DequantizeLinear with the same constant scale, zero point and axis (every
 *       activation of a QDQ model) becomes one float → float {@link QuantOps.QuantizeDequantize},
 *       so the int8 tensor, which exists only to be dequantized, is never held (the engine keeps
 *       integers as 8-byte longs: twice the float they stand for).
 * </ol>
 * A pattern matches only when the intermediate value has exactly one reader (for QuantizeLinear:
 * only DequantizeLinear readers) and is not a graph output, and (for folding) the weights and
 * statistics are constants; anything else is left for the unfused ops. A fused node is in the
 * internal domain {@link #DOMAIN}: a Conv with inputs {@code (X, W, B or "", residual?)} and the Conv
 * attributes plus {@code fused_relu}, or a QuantizeDequantize with the QuantizeLinear's inputs and
 * attributes.
 */
public final class Fusion {
    /** The domain of fused nodes; never accepted from a model file. */
    public static final String DOMAIN = "org.resnet4j.fused";

    static final String RELU_ATTR = "fused_relu";

    /**
     * Set to {@code false} to keep QuantizeLinear → DequantizeLinear pairs as two nodes (A/B
     * benchmarks of the fusion); default true.
     */
    public static final String QDQ_PROPERTY = "resnet4j.qdqFusion";

    /** True unless {@code -Dresnet4j.qdqFusion=false} is set: see {@link #QDQ_PROPERTY}. */
    public static boolean quantizePairsByDefault() {
        return !"false".equals(System.getProperty(QDQ_PROPERTY));
    }

    /** What the rewrite did, for {@code describe()}. */
    public record Stats(int foldedBatchNorms, int fusedAdds, int fusedRelus, int fusedQuantizePairs) {
        /** Nothing fused: fusion was off. */
        public static final Stats NONE = new Stats(0, 0, 0, 0);
    }

    private final NodeProto[] nodes;
    private final Map<String, Value> constants;
    private final Set<String> graphOutputs;
    private final Map<String, Integer> producer = new HashMap<>();
    private final Map<String, Integer> readers = new HashMap<>();
    private int newConstants;

    private Fusion(List<NodeProto> order, Map<String, Value> constants, Set<String> graphOutputs) {
        this.nodes = order.toArray(new NodeProto[0]);
        this.constants = constants;
        this.graphOutputs = graphOutputs;
    }

    /**
     * Rewrites {@code order}, fusing QuantizeLinear → DequantizeLinear pairs too when {@code
     * quantizePairs}; folded weights are added to {@code constants} (the originals stay, a later pass
     * drops what no node reads). Returns the new order and fills {@code stats[0]}.
     */
    public static List<NodeProto> rewrite(
            List<NodeProto> order,
            Map<String, Value> constants,
            Set<String> graphOutputs,
            boolean quantizePairs,
            Stats[] stats) {
        Fusion f = new Fusion(order, constants, graphOutputs);
        int bn = f.foldBatchNorms();
        int add = f.fuse("Add");
        int relu = f.fuse("Relu");
        int qdq = quantizePairs ? f.fuseQuantizeDequantize() : 0;
        stats[0] = new Stats(bn, add, relu, qdq);
        List<NodeProto> out = new ArrayList<>();
        for (NodeProto n : f.nodes) {
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    private void index() {
        producer.clear();
        readers.clear();
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] == null) {
                continue;
            }
            for (String o : nodes[i].getOutputList()) {
                producer.put(o, i);
            }
            for (String in : nodes[i].getInputList()) {
                readers.merge(in, 1, Integer::sum);
            }
        }
    }

    private static boolean isOnnx(NodeProto n, String type) {
        return n.getOpType().equals(type)
                && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
    }

    /** The Conv (plain, or fused without Relu) producing {@code value} for one reader only, or -1. */
    private int soleConvProducer(String value, boolean allowResidual) {
        Integer p = producer.get(value);
        if (p == null || graphOutputs.contains(value) || readers.getOrDefault(value, 0) != 1) {
            return -1;
        }
        NodeProto c = nodes[p];
        boolean plain = isOnnx(c, "Conv");
        boolean fused = c.getDomain().equals(DOMAIN) && !relu(c) && (allowResidual || c.getInputCount() < 4);
        return (plain || fused) && c.getOutputCount() == 1 ? p : -1;
    }

    private static boolean relu(NodeProto n) {
        return n.getAttributeList().stream().anyMatch(a -> a.getName().equals(RELU_ATTR) && a.getI() != 0);
    }

    private Value floatConstant(NodeProto n, int i, int rank) {
        if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
            return null;
        }
        Value v = constants.get(n.getInput(i));
        return v != null && v.type() == ElemType.FLOAT && v.rank() == rank ? v : null;
    }

    private int foldBatchNorms() {
        int count = 0;
        index();
        for (int i = 0; i < nodes.length; i++) {
            NodeProto bn = nodes[i];
            if (bn == null
                    || !isOnnx(bn, "BatchNormalization")
                    || bn.getOutputCount() != 1
                    || bn.getInputCount() != 5) {
                continue;
            }
            boolean training =
                    bn.getAttributeList().stream().anyMatch(a -> a.getName().equals("training_mode") && a.getI() != 0);
            int p = soleConvProducer(bn.getInput(0), false);
            if (training || p < 0 || !isOnnx(nodes[p], "Conv")) {
                continue;
            }
            NodeProto conv = nodes[p];
            Value w = floatConstant(conv, 1, 4);
            Value b = floatConstant(conv, 2, 1);
            if (w == null || (conv.getInputCount() > 2 && !conv.getInput(2).isEmpty() && b == null)) {
                continue;
            }
            int oc = w.dim(0);
            Value[] stat = new Value[4];
            boolean ok = true;
            for (int s = 0; s < 4; s++) {
                stat[s] = floatConstant(bn, s + 1, 1);
                ok &= stat[s] != null && stat[s].dim(0) == oc;
            }
            if (!ok || (b != null && b.dim(0) != oc)) {
                continue;
            }
            float eps = 1e-5f;
            for (AttributeProto a : bn.getAttributeList()) {
                if (a.getName().equals("epsilon")) {
                    eps = a.getF();
                }
            }
            // y = (conv(x, W) + b)·s + (B - mean·s), s = scale / sqrt(var + eps), per output channel
            double[] scale = BatchNormFold.scale(stat[0].f(), stat[3].f(), eps);
            float[] w2 = BatchNormFold.weight(w.f(), scale);
            float[] b2 = BatchNormFold.bias(b == null ? null : b.f(), stat[1].f(), stat[2].f(), scale);
            String wName = constant(bn.getOutput(0) + "/folded_W", Value.floats(w.shape(), w2));
            String bName = constant(bn.getOutput(0) + "/folded_B", Value.floats(new int[] {oc}, b2));
            nodes[i] = conv.toBuilder()
                    .clearInput()
                    .addInput(conv.getInput(0))
                    .addInput(wName)
                    .addInput(bName)
                    .clearOutput()
                    .addOutput(bn.getOutput(0))
                    .build();
            nodes[p] = null;
            count++;
            index();
        }
        return count;
    }

    private String constant(String base, Value v) {
        String name = base;
        while (constants.containsKey(name) || producer.containsKey(name)) {
            name = base + "#" + (++newConstants);
        }
        constants.put(name, v);
        return name;
    }

    /** Fuses Conv → {@code type} (Add or Relu) into the Conv; returns how many. */
    private int fuse(String type) {
        int count = 0;
        index();
        for (int i = 0; i < nodes.length; i++) {
            NodeProto n = nodes[i];
            if (n == null || !isOnnx(n, type) || n.getOutputCount() != 1 || n.getAttributeCount() != 0) {
                continue;
            }
            boolean add = type.equals("Add");
            if (add && n.getInputCount() != 2 || !add && n.getInputCount() != 1) {
                continue;
            }
            for (int side = 0; side < n.getInputCount(); side++) {
                String o = n.getInput(side);
                int p = soleConvProducer(o, !add);
                if (p < 0 || add && n.getInput(1 - side).equals(o)) {
                    continue;
                }
                NodeProto conv = nodes[p];
                NodeProto.Builder f =
                        conv.toBuilder().setDomain(DOMAIN).clearOutput().addOutput(n.getOutput(0));
                if (conv.getInputCount() < 3) {
                    f.addInput(""); // no bias
                }
                if (add) {
                    f.addInput(n.getInput(1 - side));
                } else {
                    f.addAttribute(AttributeProto.newBuilder()
                            .setName(RELU_ATTR)
                            .setType(AttributeProto.AttributeType.INT)
                            .setI(1));
                }
                nodes[i] = f.build();
                nodes[p] = null;
                count++;
                index();
                break;
            }
        }
        return count;
    }

    /**
     * Fuses each QuantizeLinear whose output only DequantizeLinear nodes read, all with its scale, zero
     * point and axis, into one QuantizeDequantize (at the QuantizeLinear's place, writing the first
     * DequantizeLinear's output; later ones become Identity views of it). Returns how many.
     */
    private int fuseQuantizeDequantize() {
        int count = 0;
        index();
        Map<String, List<Integer>> readersOf = new HashMap<>();
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null) {
                for (String in : nodes[i].getInputList()) {
                    readersOf.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
                }
            }
        }
        for (int i = 0; i < nodes.length; i++) {
            NodeProto q = nodes[i];
            if (q == null || !isOnnx(q, "QuantizeLinear") || q.getOutputCount() != 1 || q.getInputCount() < 2) {
                continue;
            }
            String y = q.getOutput(0);
            List<Integer> dqs = readersOf.getOrDefault(y, List.of());
            if (graphOutputs.contains(y)
                    || dqs.isEmpty()
                    || !dqs.stream().allMatch(r -> dequantizesLike(nodes[r], q))) {
                continue;
            }
            String first = nodes[dqs.get(0)].getOutput(0);
            nodes[i] = q.toBuilder()
                    .setOpType(QuantOps.QuantizeDequantize.TYPE)
                    .setDomain(DOMAIN)
                    .clearOutput()
                    .addOutput(first)
                    .build();
            nodes[dqs.get(0)] = null;
            for (int r : dqs.subList(1, dqs.size())) {
                NodeProto dq = nodes[r];
                nodes[r] = NodeProto.newBuilder()
                        .setOpType("Identity")
                        .setName(dq.getName())
                        .addInput(first)
                        .addOutput(dq.getOutput(0))
                        .build();
            }
            count++;
        }
        return count;
    }

    /**
     * True when {@code dq} is a DequantizeLinear of {@code q}'s output alone with {@code q}'s constant
     * scale and zero point (both omitted, or equal values of the same type) and the same axis
     * attribute, and nothing its own op would refuse that {@code q}'s would accept: its attributes
     * are at most an axis, present exactly when {@code q}'s is.
     */
    private boolean dequantizesLike(NodeProto dq, NodeProto q) {
        if (!isOnnx(dq, "DequantizeLinear")
                || dq.getOutputCount() != 1
                || dq.getInputCount() < 2
                || dq.getInputCount() > 3
                || !dq.getInput(0).equals(q.getOutput(0))
                || dq.getInputList().subList(1, dq.getInputCount()).contains(q.getOutput(0))) {
            return false;
        }
        for (int p = 1; p <= 2; p++) {
            String a = p < q.getInputCount() ? q.getInput(p) : "";
            String b = p < dq.getInputCount() ? dq.getInput(p) : "";
            if (a.isEmpty() != b.isEmpty()) {
                return false;
            }
            if (!a.isEmpty() && !sameConstant(constants.get(a), constants.get(b))) {
                return false;
            }
        }
        AttributeProto qAxis = attribute(q, "axis");
        AttributeProto dqAxis = attribute(dq, "axis");
        return dq.getAttributeCount() == (dqAxis == null ? 0 : 1)
                && (qAxis == null ? dqAxis == null : dqAxis != null && qAxis.getI() == dqAxis.getI());
    }

    private static AttributeProto attribute(NodeProto n, String name) {
        return n.getAttributeList().stream()
                .filter(a -> a.getName().equals(name))
                .findFirst()
                .orElse(null);
    }

    /** Both constants, of one type and shape, holding the same bits. */
    private static boolean sameConstant(Value a, Value b) {
        return a != null
                && b != null
                && a.type() == b.type()
                && Arrays.equals(a.shape(), b.shape())
                && (a.isFloat() ? Arrays.equals(a.f(), b.f()) : Arrays.equals(a.l(), b.l()));
    }
}
