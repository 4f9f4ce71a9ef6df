package org.resnet4j.engine.jvm.ops;

import org.resnet4j.arrays.Shapes;

/** Gemm and MatMul, both on the engine's {@link org.resnet4j.engine.jvm.kernels.Sgemm}. */
final class MatrixOps {
    private MatrixOps() {}

    // x (R,C) -> (C,R)
    static float[] transpose(float[] x, int rows, int cols, float[] out) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = x[r * cols + c];
            }
        }
        return out;
    }

    /** Gemm: A (M,K) or (K,M) if transA, B (K,N) or (N,K) if transB, C broadcastable to (M,N) -> Y (M,N). */
    static final class Gemm extends Op {
        private final float alpha;
        private final float beta;
        private final boolean transA;
        private final boolean transB;
        /** B already transposed to (K,N), when B is an initializer and transB=1; else null. */
        private final float[] constantBt;

        private final int[] constantBShape;

        Gemm(NodeSpec s) {
            super(s);
            s.attributes("alpha", "beta", "transA", "transB").arity(2, 3, 1, 1);
            alpha = s.f("alpha", 1f);
            beta = s.f("beta", 1f);
            transA = s.oneOf("transA", 0, 0, 1) == 1;
            transB = s.oneOf("transB", 0, 0, 1) == 1;
            Value b = s.constantInput(1);
            if (transB && b != null && b.type() == ElemType.FLOAT && b.rank() == 2) {
                // the one load-time transformation: it changes no arithmetic, only the layout
                constantBShape = b.shape().clone();
                constantBt = transpose(b.f(), b.dim(0), b.dim(1), new float[b.numel()]);
            } else {
                constantBShape = null;
                constantBt = null;
            }
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value a = in[0];
            Value b = in[1];
            Value c = in.length > 2 ? in[2] : null;
            requireRank(a, "A", 2);
            requireRank(b, "B", 2);
            int m = transA ? a.dim(1) : a.dim(0);
            int k = transA ? a.dim(0) : a.dim(1);
            int kb = transB ? b.dim(1) : b.dim(0);
            int n = transB ? b.dim(0) : b.dim(1);
            if (k != kb) {
                throw mismatch("A " + Shapes.format(a.shape()) + (transA ? " (transposed)" : "") + " and B "
                        + Shapes.format(b.shape()) + (transB ? " (transposed)" : "") + " have inner dimensions " + k
                        + " and " + kb);
            }
            int[] outShape = {m, n};
            if (c != null && !Broadcast.unidirectional(c.shape(), outShape)) {
                throw mismatch("C has shape " + Shapes.format(c.shape()) + ", which does not broadcast to "
                        + Shapes.format(outShape));
            }
            float[] at = null;
            float[] bt = null;
            try {
                float[] am = a.f();
                if (transA) {
                    am = at = transpose(a.f(), k, m, ctx.scratch(a.numel()));
                }
                float[] bm = b.f();
                if (transB) {
                    if (constantBt != null
                            && b.f().length == constantBt.length
                            && java.util.Arrays.equals(b.shape(), constantBShape)) {
                        bm = constantBt;
                    } else {
                        bm = bt = transpose(b.f(), n, k, ctx.scratch(b.numel()));
                    }
                }
                Value y = ctx.newFloats(outShape);
                float[] ys = y.f();
                ctx.sgemm().gemm(m, n, k, am, 0, k, bm, 0, n, ys, 0, n, false, ctx.par());
                if (alpha != 1f) {
                    for (int i = 0; i < ys.length; i++) {
                        ys[i] *= alpha;
                    }
                }
                if (c != null && beta != 0f) {
                    float bb = beta;
                    Broadcast.binary(outShape, outShape, ys, c.shape(), c.f(), ys, (p, q) -> p + bb * q);
                }
                return one(y);
            } finally {
                if (at != null) {
                    ctx.release(at);
                }
                if (bt != null) {
                    ctx.release(bt);
                }
            }
        }
    }

    /** MatMul (NumPy): a (..., M, K), b (..., K, N) -> y (broadcast(...), M, N); 1-D operands promoted and dropped. */
    static final class MatMul extends Op {
        MatMul(NodeSpec s) {
            super(s);
            s.attributes().arity(2, 2, 1, 1);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value a = in[0];
            Value b = in[1];
            if (a.rank() == 0 || b.rank() == 0) {
                throw mismatch("inputs " + Shapes.format(a.shape()) + " and " + Shapes.format(b.shape())
                        + " must have rank 1 or more");
            }
            int[] as = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.shape();
            int[] bs = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.shape();
            int m = as[as.length - 2];
            int k = as[as.length - 1];
            int n = bs[bs.length - 1];
            if (bs[bs.length - 2] != k) {
                throw mismatch("A " + Shapes.format(a.shape()) + " and B " + Shapes.format(b.shape())
                        + " have inner dimensions " + k + " and " + bs[bs.length - 2]);
            }
            int[] aBatch = java.util.Arrays.copyOf(as, as.length - 2);
            int[] bBatch = java.util.Arrays.copyOf(bs, bs.length - 2);
            int[] batch = Broadcast.shape(aBatch, bBatch);
            if (batch == null) {
                throw mismatch("batch dimensions of " + Shapes.format(a.shape()) + " and " + Shapes.format(b.shape())
                        + " cannot be broadcast together");
            }
            int r = batch.length + (a.rank() == 1 ? 0 : 1) + (b.rank() == 1 ? 0 : 1);
            int[] shape = java.util.Arrays.copyOf(batch, r);
            int at = batch.length;
            if (a.rank() > 1) {
                shape[at++] = m;
            }
            if (b.rank() > 1) {
                shape[at] = n;
            }
            Value y = ctx.newFloats(shape);
            int[] sa = Broadcast.strides(aBatch, batch);
            int[] sb = Broadcast.strides(bBatch, batch);
            int count = Shapes.numel(batch);
            int[] idx = new int[batch.length];
            for (int t = 0; t < count; t++) {
                int ia = 0;
                int ib = 0;
                for (int d = 0, rem = t; d < batch.length; d++) {
                    int stride = Shapes.numel(java.util.Arrays.copyOfRange(batch, d + 1, batch.length));
                    idx[d] = rem / stride;
                    rem %= stride;
                    ia += idx[d] * sa[d];
                    ib += idx[d] * sb[d];
                }
                ctx.sgemm()
                        .gemm(
                                m,
                                n,
                                k,
                                a.f(),
                                ia * m * k,
                                k,
                                b.f(),
                                ib * k * n,
                                n,
                                y.f(),
                                t * m * n,
                                n,
                                false,
                                ctx.par());
            }
            return one(y);
        }
    }
}
