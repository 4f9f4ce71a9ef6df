package org.resnet4j.engine.jvm.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.NodeProto;

/**
 * Load-time rewrite (after {@link Fusion}) that moves the convolution trunk of a graph into the
 * channel-blocked layout: each Conv with constant weights becomes a {@link NchwcOps.Conv} (still a
 * Conv, in the internal domain, marked by {@link NchwcOps#LAYOUT_ATTR}), MaxPool and Relu on a
 * blocked value stay blocked, a global pool on a blocked value reads it directly and writes the plain
 * (N,C,1,1). A conv whose input is plain converts it as it reads it (the graph input); a blocked value
 * is converted back once, at its first plain reader or as a graph output, so a ResNet converts its
 * input and nothing else (the global pool's output is plain).
 *
 * <p>A fused residual stays fused only when it is itself blocked with the conv's channel count;
 * otherwise the conv keeps the plain path. Names of blocked values get the suffix {@code #nchwc}.
 */
public final class NchwcRewrite {
    private static final String SUFFIX = "#nchwc";
    private static final Set<String> CONV_ATTRIBUTES =
            Set.of("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides", Fusion.RELU_ATTR);

    private final Map<String, Value> constants;
    private final Set<String> taken = new HashSet<>();
    /** Original value name -> the name of its blocked copy. */
    private final Map<String, String> blocked = new HashMap<>();
    /** Original value name -> logical channel count, for blocked values. */
    private final Map<String, Integer> channels = new HashMap<>();
    /** Values that exist only blocked so far (their plain form is made on demand). */
    private final Set<String> onlyBlocked = new HashSet<>();

    private final List<NodeProto> out = new ArrayList<>();
    private int convs;

    private NchwcRewrite(List<NodeProto> order, Map<String, Value> constants) {
        this.constants = constants;
        taken.addAll(constants.keySet());
        for (NodeProto n : order) {
            taken.addAll(n.getInputList());
            taken.addAll(n.getOutputList());
        }
    }

    /** The rewritten order; {@code count[0]} is set to the number of blocked convolutions. */
    public static List<NodeProto> rewrite(
            List<NodeProto> order, Map<String, Value> constants, List<String> graphOutputs, int[] count) {
        NchwcRewrite r = new NchwcRewrite(order, constants);
        for (NodeProto n : order) {
            r.visit(n);
        }
        for (String o : graphOutputs) {
            r.plain(o);
        }
        count[0] = r.convs;
        return r.out;
    }

    private String fresh(String base) {
        String name = base + SUFFIX;
        for (int i = 2; taken.contains(name); i++) {
            name = base + SUFFIX + i;
        }
        taken.add(name);
        return name;
    }

    private static boolean isOnnx(NodeProto n, String type) {
        return n.getOpType().equals(type)
                && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
    }

    private Value constant(NodeProto n, int i) {
        return i < n.getInputCount() && !n.getInput(i).isEmpty() ? constants.get(n.getInput(i)) : null;
    }

    private void visit(NodeProto n) {
        boolean conv = (isOnnx(n, "Conv")
                        || n.getDomain().equals(Fusion.DOMAIN) && n.getOpType().equals("Conv"))
                && n.getOutputCount() == 1;
        if (conv && convFits(n)) {
            Value w = constant(n, 1);
            // the first blocked conv converts its plain input itself (after the Conv's own shape checks)
            String x = n.getInput(0);
            NodeProto.Builder b = n.toBuilder()
                    .setDomain(Fusion.DOMAIN)
                    .clearInput()
                    .addInput(blocked.getOrDefault(x, x))
                    .addInput(n.getInput(1))
                    .addInput(n.getInputCount() > 2 ? n.getInput(2) : "")
                    .addAttribute(AttributeProto.newBuilder()
                            .setName(NchwcOps.LAYOUT_ATTR)
                            .setType(AttributeProto.AttributeType.INT)
                            .setI(1));
            if (n.getInputCount() > 3) {
                b.addInput(blocked.get(n.getInput(3)));
            }
            emitBlocked(b, n.getOutput(0), w.dim(0));
            convs++;
            return;
        }
        String in = n.getInputCount() > 0 ? n.getInput(0) : "";
        if (n.getOutputCount() == 1 && blocked.containsKey(in) && isOnnx(n, "MaxPool")) {
            emitBlocked(
                    n.toBuilder()
                            .setDomain(Fusion.DOMAIN)
                            .setOpType(NchwcOps.MAX_POOL)
                            .setInput(0, blocked.get(in)),
                    n.getOutput(0),
                    channels.get(in));
            return;
        }
        if (n.getOutputCount() == 1 && onlyBlocked.contains(in) && isOnnx(n, "Relu")) {
            emitBlocked(n.toBuilder().setInput(0, blocked.get(in)), n.getOutput(0), channels.get(in));
            return;
        }
        boolean globalAvg = isOnnx(n, "GlobalAveragePool");
        if (n.getOutputCount() == 1 && blocked.containsKey(in) && (globalAvg || isOnnx(n, "GlobalMaxPool"))) {
            out.add(n.toBuilder()
                    .setDomain(Fusion.DOMAIN)
                    .setOpType(globalAvg ? NchwcOps.GLOBAL_AVERAGE : NchwcOps.GLOBAL_MAX)
                    .setInput(0, blocked.get(in))
                    .addAttribute(channelsAttr(channels.get(in)))
                    .build());
            return;
        }
        for (String i : n.getInputList()) {
            plain(i);
        }
        out.add(n);
    }

    /**
     * A Conv the blocked kernel takes: known attributes (others are left for {@link ConvOp} to refuse),
     * constant 4-D float W, constant or no B, a blocked residual of its width.
     */
    private boolean convFits(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            if (!CONV_ATTRIBUTES.contains(a.getName())) {
                return false;
            }
        }
        Value w = constant(n, 1);
        if (w == null || w.type() != ElemType.FLOAT || w.rank() != 4 || n.getInputCount() < 2) {
            return false;
        }
        int group = group(n);
        if (group < 1 || w.dim(0) % group != 0) {
            return false;
        }
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty() && constant(n, 2) == null) {
            return false;
        }
        String x = n.getInput(0);
        if (channels.containsKey(x) && channels.get(x) != w.dim(1) * group) {
            return false;
        }
        if (n.getInputCount() > 3) {
            String r = n.getInput(3);
            return blocked.containsKey(r) && channels.get(r) == w.dim(0);
        }
        return true;
    }

    private static int group(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("group")) {
                return a.getI() > Integer.MAX_VALUE ? -1 : (int) a.getI();
            }
        }
        return 1;
    }

    private void emitBlocked(NodeProto.Builder b, String original, int c) {
        String name = fresh(original);
        out.add(b.clearOutput().addOutput(name).build());
        blocked.put(original, name);
        channels.put(original, c);
        onlyBlocked.add(original);
    }

    /** Makes the plain form of {@code value} exist (a FromNchwc node the first time it is needed). */
    private void plain(String value) {
        if (onlyBlocked.remove(value)) {
            out.add(NodeProto.newBuilder()
                    .setDomain(Fusion.DOMAIN)
                    .setOpType(NchwcOps.FROM)
                    .setName(value + "/from_nchwc")
                    .addInput(blocked.get(value))
                    .addOutput(value)
                    .addAttribute(channelsAttr(channels.get(value)))
                    .build());
        }
    }

    private static AttributeProto channelsAttr(int c) {
        return AttributeProto.newBuilder()
                .setName(NchwcOps.CHANNELS_ATTR)
                .setType(AttributeProto.AttributeType.INT)
                .setI(c)
                .build();
    }
}
