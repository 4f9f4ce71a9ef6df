package org.resnet4j.engine.jvm.ops;

import java.util.function.LongBinaryOperator;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.jvm.kernels.Parallel;

/**
 * Element-wise ops: Relu, Sigmoid, Clip; Add, Sub, Mul, Div and Sum with NumPy multidirectional
 * broadcasting. Float math in float32 (float16 values rounded on output); Add, Sub, Mul, Div and
 * Clip also on the integer types, wrapping like ONNX Runtime.
 */
final class ElementwiseOps {
    private ElementwiseOps() {}

    /** Output 0 of the type of input 0, which must be one of {@code allowed}; the others match it. */
    static ElemType[] sameType(String label, ElemType[] in, boolean intsToo) {
        ElemType t = in[0];
        if (!t.isFloat() && !(intsToo && t != ElemType.BOOL)) {
            throw new UnsupportedModelException(label + ": input 0 has type " + t + ", expected "
                    + (intsToo ? "FLOAT, FLOAT16, INT64, INT32, INT8 or UINT8" : "FLOAT or FLOAT16"));
        }
        for (int i = 1; i < in.length; i++) {
            if (in[i] != null && in[i] != t) {
                throw new UnsupportedModelException(
                        label + ": input " + i + " has type " + in[i] + ", expected " + t + " like input 0");
            }
        }
        return new ElemType[] {t};
    }

    /** A float op applied element by element: x -> y. */
    abstract static class Unary extends Op {
        Unary(NodeSpec s) {
            super(s);
        }

        abstract float apply(float v);

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return sameType(label, in, false);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            Value y = ctx.newFloats(x.shape());
            float[] xs = x.f();
            float[] ys = y.f();
            ElemType t = x.type();
            // x (n) -> y (n)
            ctx.par().forRange(xs.length, Parallel.ELEMENTWISE_GRAIN, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    ys[i] = t.round(apply(xs[i]));
                }
            });
            return one(y.as(t));
        }
    }

    /** Relu: x -> y, y = max(x, 0). */
    static final class Relu extends Unary {
        Relu(NodeSpec s) {
            super(s);
            s.attributes().arity(1, 1, 1, 1);
        }

        @Override
        float apply(float v) {
            // max(x, 0) keeping x when x == 0, as ONNX's reference (np.maximum) and ONNX Runtime do: -0.0
            // stays -0.0 (Math.max would give +0.0); NaN stays NaN
            return v < 0f ? 0f : v;
        }
    }

    /** Sigmoid: x -> y, y = 1 / (1 + exp(-x)). */
    static final class Sigmoid extends Unary {
        Sigmoid(NodeSpec s) {
            super(s);
            s.attributes().arity(1, 1, 1, 1);
        }

        @Override
        float apply(float v) {
            return (float) (1.0 / (1.0 + Math.exp(-v)));
        }
    }

    /**
     * Clip: x -> y, y = min(max(x, lo), hi). Before opset 11 the bounds are the float attributes
     * min and max; from 11 the optional scalar inputs min and max, of x's type. An absent bound is
     * the type's lowest or highest finite value (ONNX: numeric_limits lowest() and max(); Clip-6's
     * attribute defaults are ±3.402823e+38), so infinities are clipped to it.
     */
    static final class Clip extends Op {
        /** The largest finite float16. */
        private static final float HALF_MAX = 65504f;

        private final float attrMin;
        private final float attrMax;

        Clip(NodeSpec s) {
            super(s);
            if (s.opset() >= 11) {
                s.attributes().arity(1, 3, 1, 1);
                attrMin = Float.NaN; // unused: absent inputs take the type's limits in run
                attrMax = Float.NaN;
            } else {
                s.attributes("min", "max").arity(1, 1, 1, 1);
                attrMin = s.f("min", -Float.MAX_VALUE);
                attrMax = s.f("max", Float.MAX_VALUE);
            }
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return sameType(label, in, opset >= 12);
        }

        private Value bound(Value[] in, int i) {
            Value v = i < in.length ? in[i] : null;
            if (v != null && v.numel() != 1) {
                throw mismatch("input " + (i == 1 ? "min" : "max") + " has shape " + Shapes.format(v.shape())
                        + ", expected a scalar");
            }
            return v;
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            Value lo = bound(in, 1);
            Value hi = bound(in, 2);
            if (x.isFloat()) {
                float highest = x.type() == ElemType.FLOAT16 ? HALF_MAX : Float.MAX_VALUE;
                float a = lo != null ? lo.f()[0] : opset >= 11 ? -highest : attrMin;
                float b = hi != null ? hi.f()[0] : opset >= 11 ? highest : attrMax;
                Value y = ctx.newFloats(x.shape());
                float[] xs = x.f();
                float[] ys = y.f();
                for (int i = 0; i < xs.length; i++) {
                    // min(max(x, min), max), the spec's order: with min > max every value is max; NaN stays NaN
                    float v = xs[i] < a ? a : xs[i];
                    ys[i] = v > b ? b : v;
                }
                return one(y.as(x.type()));
            }
            long a = lo == null ? Long.MIN_VALUE : lo.l()[0];
            long b = hi == null ? Long.MAX_VALUE : hi.l()[0];
            long[] xs = x.l();
            long[] ys = ctx.newLongs(xs.length);
            for (int i = 0; i < xs.length; i++) {
                ys[i] = Math.min(Math.max(xs[i], a), b);
            }
            return one(Value.of(x.type(), x.shape(), null, ys));
        }
    }

    /** The four arithmetic ops, by name. */
    enum Arith {
        ADD(Float::sum, Long::sum),
        SUB((a, b) -> a - b, (a, b) -> a - b),
        MUL((a, b) -> a * b, (a, b) -> a * b),
        DIV((a, b) -> a / b, (a, b) -> a / b);

        final Broadcast.FloatOp f;
        final LongBinaryOperator l;

        Arith(Broadcast.FloatOp f, LongBinaryOperator l) {
            this.f = f;
            this.l = l;
        }
    }

    /** Add, Sub, Mul, Div: a, b broadcastable, of one type -> y (broadcast shape). */
    static final class Binary extends Op {
        private final Arith arith;

        Binary(NodeSpec s, Arith arith) {
            super(s);
            // before opset 7 broadcasting needed attributes; 7 onwards it is NumPy's
            s.attributes().arity(2, 2, 1, 1);
            this.arith = arith;
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return sameType(label, in, true);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            return one(apply(this, arith, in[0], in[1], ctx));
        }

        static Value apply(Op op, Arith arith, Value a, Value b, RunContext ctx) {
            int[] shape = Broadcast.shape(a.shape(), b.shape());
            if (shape == null) {
                throw op.mismatch("inputs " + Shapes.format(a.shape()) + " and " + Shapes.format(b.shape())
                        + " cannot be broadcast together");
            }
            ElemType t = a.type();
            if (!a.isFloat()) {
                long[] as = a.l();
                long[] bs = b.l();
                long[] ys = ctx.newLongs(Shapes.numel(shape));
                Broadcast.walk(shape, a.shape(), b.shape(), (i, ia, ib) -> {
                    if (arith == Arith.DIV && bs[ib] == 0) {
                        throw op.mismatch("integer division by zero");
                    }
                    ys[i] = t.wrap(arith.l.applyAsLong(as[ia], bs[ib]));
                });
                return Value.of(t, shape, null, ys);
            }
            Value y = ctx.newFloats(shape);
            float[] as = a.f();
            float[] bs = b.f();
            float[] ys = y.f();
            Broadcast.FloatOp f = arith.f;
            if (as.length == ys.length && bs.length == ys.length) {
                // a (n), b (n) -> y (n)
                ctx.par().forRange(ys.length, Parallel.ELEMENTWISE_GRAIN, (i0, i1) -> {
                    for (int i = i0; i < i1; i++) {
                        ys[i] = f.apply(as[i], bs[i]);
                    }
                });
            } else {
                Broadcast.binary(shape, a.shape(), as, b.shape(), bs, ys, f);
            }
            if (t == ElemType.FLOAT16) {
                for (int i = 0; i < ys.length; i++) {
                    ys[i] = t.round(ys[i]);
                }
            }
            return y.as(t);
        }
    }

    /** Sum: x1..xn broadcastable -> y, their element-wise sum (left to right). */
    static final class Sum extends Op {
        Sum(NodeSpec s) {
            super(s);
            s.attributes().arity(1, Integer.MAX_VALUE, 1, 1);
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            return sameType(label, in, false);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value acc = in[0];
            if (in.length == 1) {
                Value y = ctx.newFloats(acc.shape());
                System.arraycopy(acc.f(), 0, y.f(), 0, acc.numel());
                return one(y.as(acc.type()));
            }
            for (int i = 1; i < in.length; i++) {
                Value next = Binary.apply(this, Arith.ADD, acc, in[i], ctx);
                if (i > 1) {
                    ctx.release(acc.f());
                }
                acc = next;
            }
            return one(acc);
        }
    }
}
