package org.resnet4j.engine.jvm.ops;

import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.jvm.kernels.Parallel;

/** BatchNormalization in its inference form; Softmax. */
final class NormOps {
    private NormOps() {}

    /** BatchNormalization: x (N,C,D...), scale, B, mean, var (C) -> y (N,C,D...). */
    static final class BatchNorm extends Op {
        private final float epsilon;

        BatchNorm(NodeSpec s) {
            super(s);
            // momentum only steers training-time statistics: honoured by having no effect at inference
            // opsets 7-8 have spatial (1: per-channel statistics, the only form exported ResNets use)
            s.attributes(
                    s.opset() >= 14
                            ? new String[] {"epsilon", "momentum", "training_mode"}
                            : s.opset() >= 9
                                    ? new String[] {"epsilon", "momentum"}
                                    : new String[] {"epsilon", "momentum", "spatial"});
            s.oneOf("spatial", 1, 1);
            if (s.i("training_mode", 0) != 0) {
                throw s.refuse("training_mode=" + s.i("training_mode", 0)
                        + " is not supported, expected 0 (the Java engine runs inference only)");
            }
            if (s.proto().getOutputCount() > 1) {
                throw s.refuse("has " + s.proto().getOutputCount()
                        + " outputs; running_mean/running_var outputs exist only in training mode, expected 1");
            }
            s.arity(5, 5, 1, 1);
            epsilon = s.f("epsilon", 1e-5f);
            // when the statistics are initializers, check them once here
            String[] names = {"scale", "B", "input_mean", "input_var"};
            int c = -1;
            for (int i = 1; i < 5; i++) {
                Value v = s.constantInput(i);
                if (v == null) {
                    continue;
                }
                if (v.rank() != 1 || (c >= 0 && v.dim(0) != c)) {
                    throw new MismatchException(label + ": input " + names[i - 1]
                            + " has shape " + Shapes.format(v.shape()) + ", expected "
                            + (c >= 0 ? "[" + c + "]" : "rank 1")
                            + " like the other per-channel inputs");
                }
                c = v.dim(0);
            }
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            if (x.rank() < 2) {
                throw mismatch(
                        "input X has shape " + Shapes.format(x.shape()) + ", expected rank 2 or more (N, C, ...)");
            }
            int c = x.dim(1);
            String[] names = {"scale", "B", "input_mean", "input_var"};
            for (int i = 1; i < 5; i++) {
                if (in[i].rank() != 1 || in[i].dim(0) != c) {
                    throw mismatch("input " + names[i - 1] + " has shape " + Shapes.format(in[i].shape())
                            + ", expected [" + c + "]");
                }
            }
            // y = x·a + b with a = scale / sqrt(var + eps), b = B - mean·a, per channel
            float[] a = new float[c];
            float[] b = new float[c];
            for (int i = 0; i < c; i++) {
                a[i] = in[1].f()[i] / (float) Math.sqrt(in[4].f()[i] + epsilon);
                b[i] = in[2].f()[i] - in[3].f()[i] * a[i];
            }
            Value y = ctx.newFloats(x.shape());
            int n = x.dim(0);
            int s = x.numel() / Math.max(1, n * c);
            affine(x.f(), y.f(), a, b, n, c, s, ctx);
            return one(y);
        }

        // x (N,C,S), a, b (C) -> y (N,C,S); y = x·a[c] + b[c]
        private static void affine(float[] x, float[] y, float[] a, float[] b, int n, int c, int s, RunContext ctx) {
            ctx.par().forRange(n * c, Parallel.PLANE_GRAIN, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    float ac = a[p % c];
                    float bc = b[p % c];
                    int off = p * s;
                    for (int i = off; i < off + s; i++) {
                        y[i] = x[i] * ac + bc;
                    }
                }
            });
        }
    }

    /**
     * Softmax. Opset 13 and later: along one axis (default -1). Before 13: the input is seen as 2-D,
     * (prod(dims[:axis]), prod(dims[axis:])) with axis default 1, and each row is normalised.
     */
    static final class Softmax extends Op {
        private final long axis;

        Softmax(NodeSpec s) {
            super(s);
            s.attributes("axis").arity(1, 1, 1, 1);
            axis = s.i("axis", s.opset() >= 13 ? -1 : 1);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            int r = x.rank();
            int ax;
            if (opset < 13 && axis == r) {
                ax = r; // the legacy form allows axis = rank: rows of one element each
            } else {
                ax = axis(axis, Math.max(r, 1), "axis");
            }
            int outer = 1;
            for (int i = 0; i < ax; i++) {
                outer *= x.dim(i);
            }
            int len;
            int inner;
            if (opset < 13) {
                len = x.numel() / Math.max(1, outer);
                inner = 1;
            } else {
                len = r == 0 ? 1 : x.dim(ax);
                inner = x.numel() / Math.max(1, outer * len);
            }
            Value y = ctx.newFloats(x.shape());
            softmax(x.f(), y.f(), outer, len, inner);
            return one(y);
        }

        // x (O,L,I) -> y (O,L,I), normalised over L
        static void softmax(float[] x, float[] y, int outer, int len, int inner) {
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = o * len * inner + i;
                    float m = Float.NEGATIVE_INFINITY;
                    for (int l = 0; l < len; l++) {
                        m = Math.max(m, x[base + l * inner]);
                    }
                    float sum = 0;
                    for (int l = 0; l < len; l++) {
                        float e = (float) Math.exp(x[base + l * inner] - m);
                        y[base + l * inner] = e;
                        sum += e;
                    }
                    for (int l = 0; l < len; l++) {
                        y[base + l * inner] /= sum;
                    }
                }
            }
        }
    }
}
