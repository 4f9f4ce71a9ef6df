package org.resnet4j.engine.jvm.ops;

import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.PoolKernels;
import org.resnet4j.engine.jvm.kernels.PoolKernels.PoolGeometry;
import org.resnet4j.tensor.Shapes;

/** MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool. */
final class PoolOps {
    private PoolOps() {}

    /** MaxPool and AveragePool over 2-D windows: x (N,C,H,W) -> y (N,C,OH,OW). */
    static final class Pool extends Op {
        private final boolean max;
        private final boolean countIncludePad;
        private final Spatial spatial;

        Pool(NodeSpec s, boolean max) {
            super(s);
            this.max = max;
            if (max) {
                s.attributes("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides")
                        .arity(1, 1, 1, 2);
                s.oneOf("storage_order", 0, 0);
                if (s.proto().getOutputCount() > 1) {
                    throw s.refuse("output Indices is not supported, expected one output (Y)");
                }
                countIncludePad = false;
            } else {
                s.attributes("auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides")
                        .arity(1, 1, 1, 1);
                countIncludePad = s.oneOf("count_include_pad", 0, 0, 1) == 1;
            }
            spatial = new Spatial(s, true, max || s.opset() >= 19, true);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            requireRank(x, "X", 4);
            int kh = spatial.kernel[0];
            int kw = spatial.kernel[1];
            Spatial.Resolved r = spatial.resolve(x.dim(2), x.dim(3), kh, kw);
            if (r == null) {
                throw mismatch("kernel [" + kh + ", " + kw + "] does not fit input " + Shapes.format(x.shape()));
            }
            PoolGeometry g = new PoolGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), kh, kw,
                    spatial.strides[0], spatial.strides[1], spatial.dilations[0], spatial.dilations[1],
                    r.padT(), r.padL(), r.padB(), r.padR(), r.oh(), r.ow());
            Value y = ctx.newFloats(new int[] {g.n(), g.c(), g.oh(), g.ow()});
            if (max) {
                PoolKernels.maxPool(g, x.f(), y.f(), ctx.par());
            } else {
                PoolKernels.avgPool(g, countIncludePad, x.f(), y.f(), ctx.par());
            }
            return one(y);
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
                throw mismatch("input X has shape " + Shapes.format(x.shape()) + ", expected rank 3 or more (N, C, spatial...)");
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
