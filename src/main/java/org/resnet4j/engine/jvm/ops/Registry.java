package org.resnet4j.engine.jvm.ops;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.resnet4j.ResNet4jException.UnsupportedModelException;

/**
 * The operator table: ONNX op type -> compiled op. One line per op; opsets 7–21 for all of them
 * (QuantizeLinear and DequantizeLinear from 10, where ONNX defines them), each op reading its node's
 * opset where the op's inputs or attributes changed.
 */
public final class Registry {
    public static final int MIN_OPSET = 7;
    /** Ops whose ONNX definition is unchanged since opset 1: models importing opsets 1-6 may use them. */
    private static final java.util.Set<String> SINCE_OPSET_1 = java.util.Set.of("GlobalAveragePool", "GlobalMaxPool");

    /** True when the model-level opset {@code v} can be compiled at all (per node: {@link #compile}). */
    public static boolean acceptsModelOpset(long v) {
        return v >= 1 && v <= MAX_OPSET;
    }

    public static final int MAX_OPSET = 21;

    private static final Map<String, Function<NodeSpec, Op>> OPS = new TreeMap<>();

    static {
        OPS.put("Add", s -> new ElementwiseOps.Binary(s, ElementwiseOps.Arith.ADD));
        OPS.put("AveragePool", s -> new PoolOps.Pool(s, false));
        OPS.put("BatchNormalization", NormOps.BatchNorm::new);
        OPS.put("Concat", ShapeOps.Concat::new);
        OPS.put("Constant", ShapeOps.Constant::new);
        OPS.put("Conv", ConvOp::new);
        OPS.put("Flatten", ShapeOps.Flatten::new);
        OPS.put("Gather", ShapeOps.Gather::new);
        OPS.put("Gemm", MatrixOps.Gemm::new);
        OPS.put("GlobalAveragePool", s -> new PoolOps.Global(s, false));
        OPS.put("GlobalMaxPool", s -> new PoolOps.Global(s, true));
        OPS.put("Identity", ShapeOps.Identity::new);
        OPS.put("MatMul", MatrixOps.MatMul::new);
        OPS.put("MaxPool", s -> new PoolOps.Pool(s, true));
        OPS.put("Relu", ElementwiseOps.Relu::new);
        OPS.put("Reshape", ShapeOps.Reshape::new);
        OPS.put("Shape", ShapeOps.Shape::new);
        OPS.put("Softmax", NormOps.Softmax::new);
        OPS.put("Unsqueeze", ShapeOps.Unsqueeze::new);
        OPS.put("Sub", s -> new ElementwiseOps.Binary(s, ElementwiseOps.Arith.SUB));
        OPS.put("Mul", s -> new ElementwiseOps.Binary(s, ElementwiseOps.Arith.MUL));
        OPS.put("Div", s -> new ElementwiseOps.Binary(s, ElementwiseOps.Arith.DIV));
        OPS.put("Sum", ElementwiseOps.Sum::new);
        OPS.put("Clip", ElementwiseOps.Clip::new);
        OPS.put("Sigmoid", ElementwiseOps.Sigmoid::new);
        OPS.put("Transpose", LayoutOps.Transpose::new);
        OPS.put("Slice", LayoutOps.Slice::new);
        OPS.put("Pad", LayoutOps.Pad::new);
        OPS.put("Squeeze", LayoutOps.Squeeze::new);
        OPS.put("Cast", TypeOps.Cast::new);
        OPS.put("ConstantOfShape", TypeOps.ConstantOfShape::new);
        OPS.put("Dropout", TypeOps.Dropout::new);
        OPS.put("QuantizeLinear", QuantOps.Quantize::new);
        OPS.put("DequantizeLinear", QuantOps.Dequantize::new);
        OPS.put("ReduceMean", ReduceOps.ReduceMean::new);
    }

    private Registry() {}

    /** The supported op types, sorted. */
    public static java.util.Set<String> supported() {
        return java.util.Collections.unmodifiableSet(OPS.keySet());
    }

    /** Compiles a node, or refuses it naming the node, op, opset and the supported list. */
    public static Op compile(NodeSpec spec) {
        String type = spec.proto().getOpType();
        String domain = spec.proto().getDomain();
        if (domain.equals(Fusion.DOMAIN) && type.equals("Conv")) {
            // made by Fusion (and NchwcRewrite) at load, never read from a file
            return spec.has(NchwcOps.LAYOUT_ATTR) ? new NchwcOps.Conv(spec) : new ConvOp(spec);
        }
        if (domain.equals(Fusion.DOMAIN) && type.equals(QuantOps.QuantizeDequantize.TYPE)) {
            return new QuantOps.QuantizeDequantize(spec); // made by Fusion at load
        }
        if (domain.equals(Fusion.DOMAIN) && NchwcOps.OPS.containsKey(type)) {
            return NchwcOps.OPS.get(type).apply(spec); // made by NchwcRewrite at load
        }
        Function<NodeSpec, Op> f = OPS.get(type);
        if (f != null && spec.opset() < MIN_OPSET && !SINCE_OPSET_1.contains(type)) {
            throw new UnsupportedModelException(
                    spec.label() + ": opset " + spec.opset() + " is not supported by the Java engine, "
                            + "expected " + MIN_OPSET + ".." + MAX_OPSET + " ("
                            + String.join(" and ", new java.util.TreeSet<>(SINCE_OPSET_1))
                            + " also from opset 1)");
        }
        if (f == null || !(domain.isEmpty() || domain.equals("ai.onnx"))) {
            throw new UnsupportedModelException(spec.label() + (domain.isEmpty() ? "" : " in domain '" + domain + "'")
                    + " is not supported by the Java engine; supported ops (domain ai.onnx, opsets " + MIN_OPSET + ".."
                    + MAX_OPSET + "): " + String.join(", ", OPS.keySet()));
        }
        return f.apply(spec);
    }

    /** The value a Constant op holds, or null for other ops. */
    public static Value constantValue(Op op) {
        return op instanceof ShapeOps.Constant c ? c.value() : null;
    }
}
