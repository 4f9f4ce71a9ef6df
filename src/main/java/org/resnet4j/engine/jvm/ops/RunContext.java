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
    /** Elements this context may still allocate in all (Long.MAX_VALUE for a run). */
    private long budget;
    /** Elements one value may have (Long.MAX_VALUE for load-time folding, which the budget bounds). */
    private final long maxValue;

    private RunContext(Parallel parallel, Sgemm sgemm, BufferPool pool, long budget, long maxValue) {
        this.parallel = parallel;
        this.sgemm = sgemm;
        this.pool = pool;
        this.budget = budget;
        this.maxValue = maxValue;
    }

    /** A context allowing {@code maxElements} newly allocated elements in all, floats and integers alike. */
    public static RunContext budgeted(Parallel parallel, Sgemm sgemm, BufferPool pool, long maxElements) {
        return new RunContext(parallel, sgemm, pool, maxElements, Long.MAX_VALUE);
    }

    /** A context for one run, allowing each new value at most {@code maxValueElements} elements. */
    public static RunContext forRun(Parallel parallel, Sgemm sgemm, BufferPool pool, long maxValueElements) {
        return new RunContext(parallel, sgemm, pool, Long.MAX_VALUE, maxValueElements);
    }

    /** An allocation the context refused, before it was made. */
    public static final class OverBudget extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OverBudget(String message) {
            super(message);
        }
    }

    /** Refuses, before anything is allocated, {@code n} elements this context may not give. */
    public void charge(long n) {
        if (n > maxValue) {
            throw new OverBudget(
                    "a value of " + n + " elements, over the " + maxValue + " one value may have in this run");
        }
        if (n > budget) {
            throw new OverBudget(n + " elements asked, " + budget + " left in the budget");
        }
        budget -= n;
    }

    /**
     * Runs {@code body} in a context that may allocate {@code extra} elements beyond what this one has
     * left, charging this one only for what {@code body} takes beyond them: the allowance of a fold
     * that frees as many elements as it makes (a DequantizeLinear of weights read nowhere else).
     */
    public <T> T withAllowance(long extra, java.util.function.Function<RunContext, T> body) {
        RunContext c = new RunContext(parallel, sgemm, pool, budget + extra, maxValue);
        T out = body.apply(c);
        charge(Math.max(0, budget - c.budget)); // what c used beyond extra
        return out;
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
        int n = org.resnet4j.arrays.Shapes.numel(shape);
        charge(n);
        return Value.floats(shape, pool.take(n));
    }

    /** Scratch space of at least {@code n} floats (maybe more); give it back with {@link #release}. */
    public float[] scratch(int n) {
        if (n > maxValue) {
            throw new OverBudget(
                    "scratch space of " + n + " elements, over the " + maxValue + " one value may have in this run");
        }
        return pool.takeAtLeast(n);
    }

    public void release(float[] a) {
        pool.give(a);
    }
}
