package org.resnet4j.engine.jvm.ops;

import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.tensor.Shapes;

/** Relu and Add (NumPy multidirectional broadcasting). */
final class ElementwiseOps {
    private ElementwiseOps() {}

    /** Relu: x -> y, y = max(x, 0). */
    static final class Relu extends Op {
        Relu(NodeSpec s) {
            super(s);
            s.attributes().arity(1, 1, 1, 1);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value x = in[0];
            Value y = ctx.newFloats(x.shape());
            float[] xs = x.f();
            float[] ys = y.f();
            // x (n) -> y (n)
            ctx.par().forRange(xs.length, Parallel.ELEMENTWISE_GRAIN, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    ys[i] = Math.max(xs[i], 0f);
                }
            });
            return one(y);
        }
    }

    /** Add: a, b broadcastable -> y (broadcast shape). */
    static final class Add extends Op {
        Add(NodeSpec s) {
            super(s);
            s.attributes().arity(2, 2, 1, 1);
        }

        @Override
        public Value[] run(Value[] in, RunContext ctx) {
            Value a = in[0];
            Value b = in[1];
            int[] shape = Broadcast.shape(a.shape(), b.shape());
            if (shape == null) {
                throw mismatch("inputs " + Shapes.format(a.shape()) + " and " + Shapes.format(b.shape())
                        + " cannot be broadcast together");
            }
            Value y = ctx.newFloats(shape);
            float[] as = a.f();
            float[] bs = b.f();
            float[] ys = y.f();
            if (as.length == ys.length && bs.length == ys.length) {
                // a (n), b (n) -> y (n)
                ctx.par().forRange(ys.length, Parallel.ELEMENTWISE_GRAIN, (i0, i1) -> {
                    for (int i = i0; i < i1; i++) {
                        ys[i] = as[i] + bs[i];
                    }
                });
            } else {
                Broadcast.binary(shape, a.shape(), as, b.shape(), bs, ys, Float::sum);
            }
            return one(y);
        }
    }
}
