package org.resnet4j.engine.jvm.ops;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.NodeProto;

/**
 * One node as an op sees it while it is compiled: its attributes (checked against the op's list),
 * its opset, and the values of inputs that are constant (initializers and Constant nodes). All
 * input validation that does not need run-time shapes happens here, with one message form:
 * {@code node 'layer1.0.conv1' (Conv, opset 17): ...}.
 */
public final class NodeSpec {
    private final NodeProto proto;
    private final int opset;
    private final String label;
    private final Function<String, Value> constants;
    private final Map<String, AttributeProto> attrs = new LinkedHashMap<>();

    public NodeSpec(NodeProto proto, int opset, Function<String, Value> constants) {
        this.proto = proto;
        this.opset = opset;
        this.constants = constants;
        String name =
                !proto.getName().isEmpty() ? proto.getName() : proto.getOutputCount() > 0 ? proto.getOutput(0) : "?";
        this.label = "node '" + name + "' (" + proto.getOpType() + ", opset " + opset + ")";
        for (AttributeProto a : proto.getAttributeList()) {
            attrs.put(a.getName(), a);
        }
    }

    public NodeProto proto() {
        return proto;
    }

    public int opset() {
        return opset;
    }

    /** How messages name this node: {@code node 'fc' (Gemm, opset 17)}. */
    public String label() {
        return label;
    }

    public UnsupportedModelException refuse(String message) {
        return new UnsupportedModelException(label + ": " + message);
    }

    /** Refuses any attribute not in {@code supported}, naming it and listing the supported ones. */
    public NodeSpec attributes(String... supported) {
        List<String> ok = Arrays.asList(supported);
        for (String a : attrs.keySet()) {
            if (!ok.contains(a)) {
                throw refuse("attribute '" + a + "' is not supported; " + proto.getOpType() + " supports "
                        + (ok.isEmpty() ? "no attributes" : new TreeSet<>(ok).toString()));
            }
        }
        return this;
    }

    /** Checks the number of inputs (counting omitted optional ones) and outputs. */
    public NodeSpec arity(int minIn, int maxIn, int minOut, int maxOut) {
        int in = proto.getInputCount();
        int out = proto.getOutputCount();
        if (in < minIn || in > maxIn) {
            throw refuse("has " + in + " inputs, expected " + range(minIn, maxIn));
        }
        if (out < minOut || out > maxOut) {
            throw refuse("has " + out + " outputs, expected " + range(minOut, maxOut));
        }
        for (int i = 0; i < minIn; i++) {
            if (proto.getInput(i).isEmpty()) {
                throw refuse("required input " + i + " is missing");
            }
        }
        return this;
    }

    private static String range(int lo, int hi) {
        return lo == hi ? String.valueOf(lo) : hi == Integer.MAX_VALUE ? lo + " or more" : lo + ".." + hi;
    }

    public boolean has(String attr) {
        return attrs.containsKey(attr);
    }

    /** True when input {@code i} is given (present and not the empty name). */
    public boolean hasInput(int i) {
        return i < proto.getInputCount() && !proto.getInput(i).isEmpty();
    }

    /** The value of input {@code i} when it is constant, else null. */
    public Value constantInput(int i) {
        return hasInput(i) ? constants.apply(proto.getInput(i)) : null;
    }

    public long i(String name, long def) {
        AttributeProto a = attrs.get(name);
        if (a == null) {
            return def;
        }
        expect(a, AttributeProto.AttributeType.INT);
        return a.getI();
    }

    public float f(String name, float def) {
        AttributeProto a = attrs.get(name);
        if (a == null) {
            return def;
        }
        expect(a, AttributeProto.AttributeType.FLOAT);
        return a.getF();
    }

    /** An INTS attribute, or null when absent. */
    public long[] ints(String name) {
        AttributeProto a = attrs.get(name);
        if (a == null) {
            return null;
        }
        expect(a, AttributeProto.AttributeType.INTS);
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    public String s(String name, String def) {
        AttributeProto a = attrs.get(name);
        if (a == null) {
            return def;
        }
        expect(a, AttributeProto.AttributeType.STRING);
        return a.getS().toStringUtf8();
    }

    public AttributeProto attr(String name) {
        return attrs.get(name);
    }

    /** An int attribute that must be one of {@code allowed}. */
    public long oneOf(String name, long def, long... allowed) {
        long v = i(name, def);
        for (long x : allowed) {
            if (x == v) {
                return v;
            }
        }
        throw refuse("attribute " + name + "=" + v + " is not supported, expected one of " + Arrays.toString(allowed));
    }

    private void expect(AttributeProto a, AttributeProto.AttributeType type) {
        if (a.getType() != type) {
            throw refuse("attribute '" + a.getName() + "' has type " + a.getType() + ", expected " + type);
        }
    }
}
