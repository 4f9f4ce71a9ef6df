package org.resnet4j.engine.jvm.ops;

import org.resnet4j.arrays.Shapes;

/** ReduceMean: the mean pooling of exporters that write {@code x.mean((2, 3))}. */
final class ReduceOps {
    private ReduceOps() {}

    /**
     * ReduceMean: data, axes (attribute before opset 18, optional int64 input from 18) -> the mean
     * over axes (all when absent, none with noop_with_empty_axes), those axes kept as 1 with keepdims.
     */
    static final class ReduceMean extends Op {
        private final long[] axesAttr;
        private final boolean keepDims;
        private final boolean noopWithEmptyAxes;

        ReduceMean(NodeSpec s) {
            super(s);
            if (s.opset() >= 18) {
                s.attributes("keepdims", "noop_with_empty_axes").arity(1, 2, 1, 1);
                axesAttr = null;
            } else {
                s.attributes("axes", "keepdims").arity(1, 1, 1, 1);
                axesAttr = s.ints("axes");
            }
            keepDims = s.oneOf("keepdims", 1, 0, 1) == 1;
            noopWithEmptyAxes = s.oneOf("noop_with_empty_axes", 0, 0, 1) == 1;
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            if (in.length > 1 && in[1] != null && in[1] != ElemType.INT64) {
                throw new org.resnet4j.ResNet4jException.UnsupportedModelException(
                        label + ": input axes has type " + in[1] + ", expected INT64");
            }
            return ElementwiseOps.sameType(label, new ElemType[] {in[0]}, false);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            int r = x.rank();
            long[] axes = axesAttr != null
                    ? axesAttr
                    : in.length > 1 && in[1] != null ? LayoutOps.ints1d(this, in[1], "axes") : null;
            boolean[] reduce = new boolean[r];
            if (axes == null || axes.length == 0) {
                if (noopWithEmptyAxes) {
                    Value y = ctx.newFloats(x.shape());
                    System.arraycopy(x.f(), 0, y.f(), 0, x.numel());
                    return one(y.as(x.type()));
                }
                java.util.Arrays.fill(reduce, true);
            } else {
                for (long a : axes) {
                    reduce[axis(a, r, "axis")] = true;
                }
            }
            int[] kept = new int[r];
            int count = 1;
            int outRank = 0;
            for (int i = 0; i < r; i++) {
                kept[i] = reduce[i] ? 1 : x.dim(i);
                count *= reduce[i] ? x.dim(i) : 1;
                outRank += reduce[i] && !keepDims ? 0 : 1;
            }
            int[] outShape = new int[outRank];
            for (int i = 0, j = 0; i < r; i++) {
                if (!(reduce[i] && !keepDims)) {
                    outShape[j++] = kept[i];
                }
            }
            // x (in) -> y (kept): y[j] = sum over the reduced axes / count; double sums, float result
            ctx.charge(Shapes.numel(kept));
            double[] acc = new double[Shapes.numel(kept)];
            float[] xs = x.f();
            Broadcast.walk(x.shape(), x.shape(), kept, (i, ia, ib) -> acc[ib] += xs[ia]);
            Value y = ctx.newFloats(outShape);
            float[] ys = y.f();
            for (int i = 0; i < ys.length; i++) {
                ys[i] = x.type().round((float) (acc[i] / count));
            }
            return one(y.as(x.type()));
        }
    }
}
