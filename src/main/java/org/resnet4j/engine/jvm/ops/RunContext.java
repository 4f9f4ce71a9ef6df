package org.resnet4j.engine.jvm.ops;

import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.Sgemm;

/** What an op may use while it runs: the thread pool, the GEMM kernel and this run's buffers. */
public final class RunContext {
    private final Parallel parallel;
    private final Sgemm sgemm;
    private final BufferPool pool;

    public RunContext(Parallel parallel, Sgemm sgemm, BufferPool pool) {
        this.parallel = parallel;
        this.sgemm = sgemm;
        this.pool = pool;
    }

    public Parallel par() {
        return parallel;
    }

    public Sgemm sgemm() {
        return sgemm;
    }

    /** A float output of {@code shape} with unspecified contents: the op must write every element. */
    public Value newFloats(int[] shape) {
        return Value.floats(shape, pool.take(org.resnet4j.tensor.Shapes.numel(shape)));
    }

    /** Scratch space of at least {@code n} floats (maybe more); give it back with {@link #release}. */
    public float[] scratch(int n) {
        return pool.takeAtLeast(n);
    }

    public void release(float[] a) {
        pool.give(a);
    }
}
