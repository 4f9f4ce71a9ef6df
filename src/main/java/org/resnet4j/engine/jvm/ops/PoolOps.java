package org.resnet4j.engine.jvm.ops;

import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.PoolKernels;
import org.resnet4j.engine.jvm.kernels.PoolKernels.PoolGeometry;
import org.resnet4j.engine.jvm.kernels.WindowNd;

/** MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool. */
final class PoolOps {
    private PoolOps() {}

    /**
     * MaxPool and AveragePool: x (N,C,H,W) -> y (N,C,OH,OW) on the 2-D kernels; other ranks (1-D,
     * 3-D) and MaxPool's Indices output on the general N-D path.
     */
    static final class Pool extends Op {
        private final boolean max;
        private final boolean countIncludePad;
        private final boolean withIndices;
        private final boolean columnMajor;
        private final Spatial spatial;

        Pool(NodeSpec s, boolean max) {
            super(s);
            this.max = max;
            if (max) {
                s.attributes(
                                s.opset() >= 8
                                        ? new String[] {
                                            "auto_pad",
                                            "ceil_mode",
                                            "dilations",
                                            "kernel_shape",
                                            "pads",
                                            "storage_order",
                                            "strides"
                                        }
                                        : new String[] {"auto_pad", "kernel_shape", "pads", "strides"})
                        .arity(1, 1, 1, s.opset() >= 8 ? 2 : 1);
                columnMajor = s.oneOf("storage_order", 0, 0, 1) == 1;
                withIndices = s.proto().getOutputCount() > 1
                        && !s.proto().getOutput(1).isEmpty();
                countIncludePad = false;
            } else {
                s.attributes(
                                "auto_pad",
                                "ceil_mode",
                                "count_include_pad",
                                "dilations",
                                "kernel_shape",
                                "pads",
                                "strides")
                        .arity(1, 1, 1, 1);
                countIncludePad = s.oneOf("count_include_pad", 0, 0, 1) == 1;
                withIndices = false;
                columnMajor = false;
            }
            spatial = new Spatial(s, true, max ? s.opset() >= 10 : s.opset() >= 19, s.opset() >= 10);
        }

        @Override
        public ElemType[] outputTypes(ElemType[] in) {
            if (max && opset >= 12 && (in[0] == ElemType.UINT8 || in[0] == ElemType.INT8)) {
                return withIndices ? new ElemType[] {in[0], ElemType.INT64} : new ElemType[] {in[0]};
            }
            super.outputTypes(in);
            return withIndices ? new ElemType[] {ElemType.FLOAT, ElemType.INT64} : new ElemType[] {ElemType.FLOAT};
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            if (!x.isFloat()) {
                // int8 and uint8 (opset 12): the maximum of exact floats is exact; back to the type
                Value[] out = run(new Value[] {TypeOps.convert(x, ElemType.FLOAT, ctx)}, ctx);
                out[0] = TypeOps.convert(out[0], x.type(), ctx);
                return out;
            }
            if (x.rank() != 4 || withIndices || spatial.rank() != 2) {
                return runNd(x, ctx);
            }
            int kh = spatial.kernel[0];
            int kw = spatial.kernel[1];
            Spatial.Resolved r = spatial.resolve(x.dim(2), x.dim(3), kh, kw);
            if (r == null) {
                throw mismatch("kernel [" + kh + ", " + kw + "] does not fit input " + Shapes.format(x.shape()));
            }
            PoolGeometry g = new PoolGeometry(
                    x.dim(0),
                    x.dim(1),
                    x.dim(2),
                    x.dim(3),
                    kh,
                    kw,
                    spatial.strides[0],
                    spatial.strides[1],
                    spatial.dilations[0],
                    spatial.dilations[1],
                    r.padT(),
                    r.padL(),
                    r.padB(),
                    r.padR(),
                    r.oh(),
                    r.ow());
            Value y = ctx.newFloats(new int[] {g.n(), g.c(), g.oh(), g.ow()});
            if (max) {
                PoolKernels.maxPool(g, x.f(), y.f(), ctx.par());
            } else {
                PoolKernels.avgPool(g, countIncludePad, x.f(), y.f(), ctx.par());
            }
            return one(y);
        }

        // x (N,C,in...) -> y (N,C,out...) [, indices (N,C,out...)]
        private Value[] runNd(Value x, RunContext ctx) {
            Spatial.Nd nd = spatial.nd(this, x.shape(), spatial.kernel);
            int[] shape = new int[x.rank()];
            shape[0] = x.dim(0);
            shape[1] = x.dim(1);
            System.arraycopy(nd.g().out(), 0, shape, 2, shape.length - 2);
            Value y = ctx.newFloats(shape);
            if (!max) {
                WindowNd.avgPool(nd.g(), countIncludePad, nd.padEnd(), x.f(), y.f(), ctx.par());
                return one(y);
            }
            long[] idx = withIndices ? ctx.newLongs(y.numel()) : null;
            WindowNd.maxPool(nd.g(), x.f(), y.f(), idx, columnMajor, ctx.par());
            return withIndices ? new Value[] {y, Value.longs(shape, idx)} : one(y);
        }
    }

    /** GlobalAveragePool / GlobalMaxPool: x (N,C,D1..Dk) -> y (N,C,1..1). */
    static final class Global extends Op {
        private final boolean max;

        Global(NodeSpec s, boolean max) {
            super(s);
            s.attributes().arity(1, 1, 1, 1);
            this.max = max;
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            if (x.rank() < 3) {
                throw mismatch("input X has shape " + Shapes.format(x.shape())
                        + ", expected rank 3 or more (N, C, spatial...)");
            }
            int[] shape = x.shape().clone();
            int size = 1;
            for (int i = 2; i < shape.length; i++) {
                size *= shape[i];
                shape[i] = 1;
            }
            Value y = ctx.newFloats(shape);
            int s = size;
            float[] xs = x.f();
            float[] ys = y.f();
            // x (P,S) -> y (P), P = N·C planes
            ctx.par().forRange(x.dim(0) * x.dim(1), Parallel.PLANE_GRAIN, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    int off = p * s;
                    if (max) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int i = 0; i < s; i++) {
                            float v = xs[off + i];
                            if (v > m || Float.isNaN(v)) {
                                m = v;
                            }
                        }
                        ys[p] = m;
                    } else {
                        float acc = 0;
                        for (int i = 0; i < s; i++) {
                            acc += xs[off + i];
                        }
                        ys[p] = acc / s;
                    }
                }
            });
            return one(y);
        }
    }
}
