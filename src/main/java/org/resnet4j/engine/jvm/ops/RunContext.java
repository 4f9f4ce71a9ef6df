package org.resnet4j.engine.jvm.ops;

import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.Sgemm;

/**
 * What an op may use while it runs: the thread pool, the GEMM kernel and this run's buffers. Every new
 * output array is taken through it, so that a context with a budget (load-time constant folding) can
 * refuse an allocation before it is made: a few bytes of model (ConstantOfShape([2^28]), a chain of
 * doubling Concats, a broadcast of two constant vectors) would otherwise materialise gigabytes at load.
 * Used by one thread at a time.
 */
public final class RunContext {
    private final Parallel parallel;
    private final Sgemm sgemm;
    private final BufferPool pool;
    /** Elements this context may still allocate; Long.MAX_VALUE for a run, which its output bounds. */
    private long budget;

    public RunContext(Parallel parallel, Sgemm sgemm, BufferPool pool) {
        this(parallel, sgemm, pool, Long.MAX_VALUE);
    }

    /** Same, allowing {@code maxElements} newly allocated elements in all, floats and integers alike. */
    public RunContext(Parallel parallel, Sgemm sgemm, BufferPool pool, long maxElements) {
        this.parallel = parallel;
        this.sgemm = sgemm;
        this.pool = pool;
        this.budget = maxElements;
    }

    /** An allocation a budgeted context refused, before it was made. */
    public static final class OverBudget extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OverBudget(long asked, long left) {
            super(asked + " elements asked, " + left + " left in the budget");
        }
    }

    private void charge(long n) {
        if (n > budget) {
            throw new OverBudget(n, budget);
        }
        budget -= n;
    }

    /** A new long array of {@code n} elements for an integer output. */
    public long[] newLongs(int n) {
        charge(n);
        return new long[n];
    }

    /** A new float array of {@code n} elements, not from the pool (an output kept beyond the run). */
    public float[] newFloatArray(int n) {
        charge(n);
        return new float[n];
    }

    public Parallel par() {
        return parallel;
    }

    public Sgemm sgemm() {
        return sgemm;
    }

    /** A float output of {@code shape} with unspecified contents: the op must write every element. */
    public Value newFloats(int[] shape) {
        int n = org.resnet4j.tensor.Shapes.numel(shape);
        charge(n);
        return Value.floats(shape, pool.take(n));
    }

    /** Scratch space of at least {@code n} floats (maybe more); give it back with {@link #release}. */
    public float[] scratch(int n) {
        return pool.takeAtLeast(n);
    }

    public void release(float[] a) {
        pool.give(a);
    }
}
