package org.resnet4j.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.onnx.TensorProto;

/**
 * Keeps ONNX Runtime's graph optimiser from a rewrite that changes a model's results.
 *
 * <p>ORT's level-1 rule {@code Pad_Fusion} (onnxruntime/core/optimizer/pad_fusion.cc; the rule's
 * name has an underscore, so disabling "PadFusion" does nothing) removes a constant-zero {@code Pad}
 * whose only reader is a Conv, MaxPool or AveragePool (optionally through a Cast) and adds its
 * widths to that node's own {@code pads}. For Conv that is exact. For MaxPool it is not: MaxPool's
 * own padding is -inf, so a window that covers padding and only negative values returns their
 * maximum instead of the 0 the Pad put there (a pre-activation ResNet with {@code F.pad} before its
 * stem pool: 2.2e-3 relative error against PyTorch at optimisation basic/extended/all, 2e-8 at none).
 * For AveragePool with {@code count_include_pad=0} the padded zeros would leave the average's count
 * (ORT 1.29 does not fuse into AveragePool, newer sources do; guarded alike).
 *
 * <p>The guard finds such Pads and, only for models that have one, disables that single rule
 * ({@code optimization.disable_specified_optimizers=Pad_Fusion}), keeping every other optimisation.
 * The detection is conservative: a pad value it cannot prove non-zero counts as zero. Stateless.
 */
public final class OrtGuard {
    /** ORT's session config key listing rules and transformers to skip (comma-separated). */
    public static final String DISABLE_KEY = "optimization.disable_specified_optimizers";
    /** The name ORT's PadFusion rule registers under. */
    public static final String PAD_FUSION_RULE = "Pad_Fusion";

    private OrtGuard() {}

    /**
     * The Pad nodes of {@code model}'s main graph that ORT's Pad_Fusion would fold into a MaxPool,
     * or into an AveragePool that excludes padding from its count: each as "name (Pad -> MaxPool)".
     */
    public static List<String> padsOrtWouldMisfuse(ModelProto model) {
        GraphProto g = model.getGraph();
        int opset = opset(model);
        Map<String, List<NodeProto>> readers = new HashMap<>();
        Map<String, NodeProto> producer = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
            for (String out : n.getOutputList()) {
                producer.put(out, n);
            }
        }
        Map<String, TensorProto> initializers = new HashMap<>();
        g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Set<String> graphOutputs = new HashSet<>();
        g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));

        List<String> found = new ArrayList<>();
        for (NodeProto pad : g.getNodeList()) {
            if (!isOnnx(pad, "Pad")
                    || !attrString(pad, "mode", "constant").equals("constant")
                    || !mayBeZero(pad, opset, initializers, producer)) {
                continue;
            }
            NodeProto next = soleReader(pad, readers, graphOutputs);
            if (next != null && isOnnx(next, "Cast")) {
                next = soleReader(next, readers, graphOutputs);
            }
            if (next == null) {
                continue;
            }
            boolean maxPool = isOnnx(next, "MaxPool") && next.getOutputCount() == 1;
            boolean avgExcludingPad = isOnnx(next, "AveragePool") && attrInt(next, "count_include_pad", 0) == 0;
            if (maxPool || avgExcludingPad) {
                found.add((pad.getName().isEmpty() ? pad.getOutput(0) : pad.getName()) + " (Pad -> " + next.getOpType()
                        + ")");
            }
        }
        return found;
    }

    /** The node reading {@code n}'s first output, when it is the only reader and not a graph output. */
    private static NodeProto soleReader(NodeProto n, Map<String, List<NodeProto>> readers, Set<String> graphOutputs) {
        if (n.getOutputCount() == 0 || graphOutputs.contains(n.getOutput(0))) {
            return null;
        }
        List<NodeProto> r = readers.getOrDefault(n.getOutput(0), List.of());
        return r.size() == 1 ? r.get(0) : null;
    }

    /** Whether the Pad's constant value may be zero (as ORT tests it: every byte zero; -0.0 is not). */
    private static boolean mayBeZero(
            NodeProto pad, int opset, Map<String, TensorProto> initializers, Map<String, NodeProto> producer) {
        if (opset < 11) {
            for (AttributeProto a : pad.getAttributeList()) {
                if (a.getName().equals("value")) {
                    return a.getF() == 0f;
                }
            }
            return true;
        }
        if (pad.getInputCount() < 3 || pad.getInput(2).isEmpty()) {
            return true;
        }
        String name = pad.getInput(2);
        TensorProto value = initializers.get(name);
        NodeProto p = producer.get(name);
        if (value == null && p != null && isOnnx(p, "Constant")) {
            for (AttributeProto a : p.getAttributeList()) {
                if (a.getName().equals("value") && a.hasT()) {
                    value = a.getT();
                }
            }
        }
        return value == null || allBytesZero(value);
    }

    private static boolean allBytesZero(TensorProto t) {
        if (t.hasRawData()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer();
            while (b.hasRemaining()) {
                if (b.get() != 0) {
                    return false;
                }
            }
            return true;
        }
        for (float f : t.getFloatDataList()) {
            if (Float.floatToRawIntBits(f) != 0) {
                return false;
            }
        }
        return t.getInt32DataList().stream().allMatch(v -> v == 0)
                && t.getInt64DataList().stream().allMatch(v -> v == 0)
                && t.getDoubleDataList().stream().allMatch(v -> Double.doubleToRawLongBits(v) == 0);
    }

    private static boolean isOnnx(NodeProto n, String op) {
        return n.getOpType().equals(op)
                && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
    }

    private static String attrString(NodeProto n, String name, String dflt) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getS().toStringUtf8();
            }
        }
        return dflt;
    }

    private static long attrInt(NodeProto n, String name, long dflt) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return dflt;
    }

    private static int opset(ModelProto model) {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return (int) o.getVersion();
            }
        }
        return 1;
    }
}
