package org.resnet4j.engine.jvm.ops;

import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.onnx.TensorProto;

/**
 * QuantizeLinear and DequantizeLinear (opsets 10, 13, 19, 21), the Q and DQ nodes of quantized (QDQ)
 * models: {@code y = saturate(round_half_even(x / scale) + zero_point)} and {@code y = (x -
 * zero_point) * scale}. The scale is per tensor (one element) or, from opset 13, per axis: a 1-D
 * tensor as long as x's dimension {@code axis} (default 1, negative from the back). Quantized types
 * int8 and uint8, and int32 for DequantizeLinear (biases, zero point 0); float32 values, float16 too
 * from opset 19. The float math is float32 in ONNX Runtime's order (divide, round, add the zero point,
 * saturate; subtract the zero point as integers, multiply), so results are the same bits.
 *
 * <p>A scale that is not positive and finite quantizes nothing (x / 0 saturates everything, a
 * negative step reverses the order, NaN has no integer) and is refused, as are blocked quantization
 * (opset 21's block_size) and the other quantized types of opsets 19 and 21 (float8, int4, int16).
 * Every check runs at load on what is constant there (initializers, Constant nodes), else at run.
 */
final class QuantOps {
    private QuantOps() {}

    /**
     * How a scale and zero point apply to x: {@code channels} values (1: per tensor), each over
     * {@code inner} consecutive elements, repeating.
     */
    record Layout(int channels, int inner) {}

    /** What Q and DQ share: attributes, the checks of scale and zero point, the per-axis layout. */
    abstract static class Linear extends Op {
        /** The axis attribute (default 1), normalised against x's rank where x is known. */
        private final long axis;

        private final String scaleName;
        private final String zeroPointName;

        Linear(NodeSpec s, String prefix) {
            super(s);
            scaleName = prefix + "_scale";
            zeroPointName = prefix + "_zero_point";
            if (s.opset() < 10) {
                throw s.refuse(s.proto().getOpType() + " is defined from opset 10");
            }
            s.arity(2, 3, 1, 1);
            axis = s.i("axis", 1);
            if (s.i("block_size", 0) != 0) {
                throw s.refuse("block_size=" + s.i("block_size", 0)
                        + " (blocked quantization) is not supported, expected 0: per-tensor or per-axis scales");
            }
            Value scale = s.constantInput(1);
            Value zeroPoint = s.constantInput(2);
            Value x = s.constantInput(0);
            String problem = scale == null ? null : problem(x == null ? null : x.shape(), scale, zeroPoint);
            if (problem != null) {
                throw s.refuse(problem);
            }
        }

        /**
         * Why {@code scale} and {@code zeroPoint} (null when omitted) cannot apply to an x of shape
         * {@code xShape} (null when not known yet), or null when they can.
         */
        private String problem(int[] xShape, Value scale, Value zeroPoint) {
            if (scale.rank() > 1) {
                return "input " + scaleName + " has shape " + Shapes.format(scale.shape())
                        + ", expected a scalar or a 1-D tensor (blocked quantization is not supported)";
            }
            if (opset < 13 && scale.numel() != 1) {
                return "input " + scaleName + " has shape " + Shapes.format(scale.shape())
                        + ", expected a scalar before opset 13 (per-axis scales from opset 13)";
            }
            if (zeroPoint != null && (zeroPoint.rank() > 1 || zeroPoint.numel() != scale.numel())) {
                return "input " + zeroPointName + " has shape " + Shapes.format(zeroPoint.shape()) + ", " + scaleName
                        + " " + Shapes.format(scale.shape()) + ": expected the same shape";
            }
            if (scale.isFloat()) { // else outputTypes refuses the type
                float[] f = scale.f();
                for (int i = 0; i < f.length; i++) {
                    if (!(f[i] > 0) || f[i] == Float.POSITIVE_INFINITY) {
                        return "input " + scaleName + " holds " + f[i] + (f.length > 1 ? " at index " + i : "")
                                + ", expected positive finite scales";
                    }
                }
            }
            if (zeroPoint != null && zeroPoint.type() == ElemType.INT32) {
                for (long z : zeroPoint.l()) {
                    if (z != 0) {
                        return "input " + zeroPointName + " holds " + z
                                + ", expected 0: int32 values (biases) are dequantized without a zero point";
                    }
                }
            }
            if (xShape != null && scale.numel() != 1) {
                int rank = xShape.length;
                if (axis < -rank || axis >= rank) {
                    return "axis " + axis + " is out of range for input x of rank " + rank + ", expected " + -rank
                            + ".." + (rank - 1);
                }
                int a = (int) (axis < 0 ? axis + rank : axis);
                if (scale.numel() != xShape[a]) {
                    return "input " + scaleName + " has " + scale.numel() + " elements, expected x's dimension " + a
                            + " (" + xShape[a] + " in " + Shapes.format(xShape) + ") for per-axis scales";
                }
            }
            return null;
        }

        /**
         * The layout of {@code scale} over x, checked: a run-time problem is a mismatch. The types are
         * checked again: load-time folding runs a node whose inputs are all constant without {@link
         * #outputTypes}.
         */
        Layout layout(Value x, Value scale, Value zeroPoint) {
            outputTypes(new ElemType[] {x.type(), scale.type(), zeroPoint != null ? zeroPoint.type() : null});
            String problem = problem(x.shape(), scale, zeroPoint);
            if (problem != null) {
                throw mismatch(problem);
            }
            if (scale.numel() == 1) {
                // one element is per tensor whatever its rank and the axis (ONNX's reference, ONNX Runtime)
                return new Layout(1, x.numel());
            }
            int a = (int) (axis < 0 ? axis + x.rank() : axis);
            int inner = 1;
            for (int d = a + 1; d < x.rank(); d++) {
                inner *= x.dim(d);
            }
            return new Layout(scale.numel(), inner);
        }

        /** The element types the scale may have: float32, and float16 from opset 19. */
        String requireScaleType(ElemType t) {
            if (t == ElemType.FLOAT || (t == ElemType.FLOAT16 && opset >= 19)) {
                return null;
            }
            return "has type " + t + ", expected FLOAT" + (opset >= 19 ? " or FLOAT16" : " (FLOAT16 from opset 19)");
        }

        /**
         * Runs {@code body} over x's elements in parallel chunks, telling it each element's channel
         * (the index of its scale and zero point).
         */
        static void forChannels(Layout l, int n, RunContext ctx, ChannelBody body) {
            ctx.par().forRange(n, Parallel.ELEMENTWISE_GRAIN, (i0, i1) -> {
                if (l.inner() == 0) {
                    return;
                }
                int c = (i0 / l.inner()) % l.channels();
                int k = i0 % l.inner();
                for (int i = i0; i < i1; i++) {
                    body.apply(i, c);
                    if (++k == l.inner()) {
                        k = 0;
                        c = c + 1 == l.channels() ? 0 : c + 1;
                    }
                }
            });
        }

        @FunctionalInterface
        interface ChannelBody {
            void apply(int i, int channel);
        }
    }

    /**
     * QuantizeLinear: x (float32; float16 from 19), y_scale (x's type), optional y_zero_point (int8
     * or uint8: y's type; uint8 when omitted, or opset 21's output_dtype) -> y.
     */
    static class Quantize extends Linear {
        /** Opset 21's output_dtype: y's type, which a zero point must then have; null when not given. */
        private final ElemType outputDtype;

        Quantize(NodeSpec s) {
            super(s, "y");
            s.attributes(
                    s.opset() >= 21
                            ? new String[] {"axis", "block_size", "output_dtype", "saturate"}
                            : s.opset() >= 19
                                    ? new String[] {"axis", "saturate"}
                                    : s.opset() >= 13 ? new String[] {"axis"} : new String[0]);
            // saturate decides only for float8 outputs; int8 and uint8 always saturate
            s.oneOf("saturate", 1, 0, 1);
            int dtype = (int) s.i("output_dtype", 0); // 0: the zero point's type, uint8 without one
            outputDtype = dtype == 0 ? null : Constants.elemType(dtype);
            if (dtype != 0 && outputDtype != ElemType.UINT8 && outputDtype != ElemType.INT8) {
                throw s.refuse("output_dtype=" + TensorProto.DataType.forNumber(dtype)
                        + " is not supported, expected INT8 or UINT8");
            }
        }

        /** y's type: the zero point's, else output_dtype, else uint8. */
        final ElemType outputType(ElemType zeroPoint) {
            return zeroPoint != null ? zeroPoint : outputDtype != null ? outputDtype : ElemType.UINT8;
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            boolean float16 = opset >= 19 && in[0] == ElemType.FLOAT16;
            if (in[0] != ElemType.FLOAT && !float16) {
                throw new UnsupportedModelException(label + ": input x has type " + in[0] + ", expected FLOAT"
                        + (opset >= 19 ? " or FLOAT16" : " (FLOAT16 from opset 19)"));
            }
            if (in[1] != in[0]) {
                throw new UnsupportedModelException(
                        label + ": input y_scale has type " + in[1] + ", expected " + in[0] + " like x");
            }
            ElemType z = in.length > 2 ? in[2] : null;
            if (z != null && z != ElemType.INT8 && z != ElemType.UINT8) {
                throw new UnsupportedModelException(
                        label + ": input y_zero_point has type " + z + ", expected INT8 or UINT8 (y's type)");
            }
            if (z != null && outputDtype != null && z != outputDtype) {
                throw new UnsupportedModelException(
                        label + ": input y_zero_point has type " + z + ", output_dtype says " + outputDtype);
            }
            return new ElemType[] {outputType(z)};
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            Value scale = in[1];
            Value zeroPoint = in.length > 2 ? in[2] : null;
            Layout l = layout(x, scale, zeroPoint);
            ElemType t = outputType(zeroPoint != null ? zeroPoint.type() : null);
            long lo = lowest(t);
            long hi = highest(t);
            float[] xs = x.f();
            float[] ss = scale.f();
            long[] zs = zeroPoint != null ? zeroPoint.l() : null;
            long[] ys = ctx.newLongs(xs.length);
            forChannels(l, xs.length, ctx, (i, c) -> ys[i] = quantize(xs[i], ss[c], zs != null ? zs[c] : 0, lo, hi));
            return one(Value.of(t, x.shape(), null, ys));
        }

        /** The smallest value of y's type {@code t} (int8 or uint8). */
        static long lowest(ElemType t) {
            return t == ElemType.INT8 ? Byte.MIN_VALUE : 0;
        }

        /** The largest value of y's type {@code t} (int8 or uint8). */
        static long highest(ElemType t) {
            return t == ElemType.INT8 ? Byte.MAX_VALUE : 255;
        }

        /**
         * One element: x / scale in float32, rounded half to even, plus the zero point, saturated to
         * [lo, hi]. ±inf saturate; NaN gives lo, as ONNX Runtime's kernel does (its max(NaN, lo)
         * keeps lo).
         */
        static long quantize(float x, float scale, long zeroPoint, long lo, long hi) {
            float v = x / scale;
            if (Float.isNaN(v)) {
                return lo;
            }
            double q = Math.rint(v) + zeroPoint;
            return q < lo ? lo : q > hi ? hi : (long) q;
        }
    }

    /**
     * DequantizeLinear: x (int8, uint8 or int32), x_scale (float32; float16 from 19: y's type),
     * optional x_zero_point (x's type; 0 for int32) -> y = (x - zero point) * scale.
     */
    static final class Dequantize extends Linear {
        Dequantize(NodeSpec s) {
            super(s, "x");
            s.attributes(
                    s.opset() >= 21
                            ? new String[] {"axis", "block_size"}
                            : s.opset() >= 13 ? new String[] {"axis"} : new String[0]);
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            if (in[0] != ElemType.INT8 && in[0] != ElemType.UINT8 && in[0] != ElemType.INT32) {
                throw new UnsupportedModelException(
                        label + ": input x has type " + in[0] + ", expected INT8, UINT8 or INT32");
            }
            String scaleType = requireScaleType(in[1]);
            if (scaleType != null) {
                throw new UnsupportedModelException(label + ": input x_scale " + scaleType);
            }
            if (in.length > 2 && in[2] != null && in[2] != in[0]) {
                throw new UnsupportedModelException(
                        label + ": input x_zero_point has type " + in[2] + ", expected " + in[0] + " like x");
            }
            return new ElemType[] {in[1]};
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            Value scale = in[1];
            Value zeroPoint = in.length > 2 ? in[2] : null;
            Layout l = layout(x, scale, zeroPoint);
            ElemType t = scale.type();
            long[] xs = x.l();
            float[] ss = scale.f();
            long[] zs = zeroPoint != null ? zeroPoint.l() : null;
            Value y = ctx.newFloats(x.shape());
            float[] ys = y.f();
            forChannels(l, xs.length, ctx, (i, c) -> ys[i] = dequantize(xs[i], ss[c], zs != null ? zs[c] : 0, t));
            return one(y.as(t));
        }

        /**
         * One element: (x - zero point) * scale, rounded to y's type {@code t}. The difference is exact
         * in int32 for every type taken (int32 has zero point 0), then one float32 rounding to float and
         * one of the product, as ONNX Runtime computes it.
         */
        static float dequantize(long x, float scale, long zeroPoint, ElemType t) {
            return t.round((float) (x - zeroPoint) * scale);
        }
    }

    /**
     * QuantizeLinear and the DequantizeLinear that reads it with the same scale, zero point and axis,
     * as one float -> float node ({@link Fusion} makes it at load; PyTorch calls it fake quantization):
     * x -> y = dequantize(quantize(x)), each element through {@link Quantize#quantize} and {@link
     * Dequantize#dequantize}, so the result is the pair's, bit for bit, without holding the integers.
     * Inputs and attributes are the QuantizeLinear's; y has x's type.
     */
    static final class QuantizeDequantize extends Quantize {
        /** The op type of the fused node, in the internal domain {@link Fusion#DOMAIN}. */
        static final String TYPE = "QuantizeDequantize";

        QuantizeDequantize(NodeSpec s) {
            super(s);
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            super.outputTypes(in); // the QuantizeLinear's checks
            return new ElemType[] {in[1]}; // the DequantizeLinear's output: the scale's type
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            Value scale = in[1];
            Value zeroPoint = in.length > 2 ? in[2] : null;
            Layout l = layout(x, scale, zeroPoint);
            ElemType q = outputType(zeroPoint != null ? zeroPoint.type() : null);
            long lo = lowest(q);
            long hi = highest(q);
            ElemType t = scale.type();
            float[] xs = x.f();
            float[] ss = scale.f();
            long[] zs = zeroPoint != null ? zeroPoint.l() : null;
            Value y = ctx.newFloats(x.shape());
            float[] ys = y.f();
            forChannels(l, xs.length, ctx, (i, c) -> {
                long z = zs != null ? zs[c] : 0;
                ys[i] = Dequantize.dequantize(quantize(xs[i], ss[c], z, lo, hi), ss[c], z, t);
            });
            return one(y.as(t));
        }
    }
}
