package org.resnet4j.engine;

import java.util.Arrays;
import org.resnet4j.tensor.Tensor;

/**
 * Times a model on one input: {@code warmup} untimed runs, then {@code iters} timed ones.
 * Wall-clock per run, so it includes copying the input in and the output out, as a user sees it.
 * Stateless; the times include whatever else runs on the engines or the machine meanwhile.
 */
public final class Benchmark {
    private Benchmark() {}

    /** What is timed: one run on {@code input} (an engine's {@code run}, a model's {@code logits}). */
    @FunctionalInterface
    public interface Subject {
        Object run(Tensor input);
    }

    /** Milliseconds per run, sorted ascending. */
    public record Result(double[] millis) {
        public double min() {
            return millis[0];
        }

        public double max() {
            return millis[millis.length - 1];
        }

        public double median() {
            return Benchmark.median(millis);
        }
    }

    /**
     * Two engines timed in alternation: {@code first} and {@code second} as above, and per round the
     * first engine's time over the second's, sorted ascending. A round's two runs are a fraction of a
     * second apart, so a shared machine's changing load weighs on both alike; separate processes
     * minutes apart measured the host as much as the engines (docs/PERFORMANCE.md, Hosts and method).
     */
    public record Paired(Result first, Result second, double[] ratios) {
        public double ratioMedian() {
            return median(ratios);
        }

        public double ratioMin() {
            return ratios[0];
        }

        public double ratioMax() {
            return ratios[ratios.length - 1];
        }

        /** The fastest run of each engine, first over second: what a machine without neighbours would show. */
        public double bestRatio() {
            return first.min() / second.min();
        }
    }

    public static Result run(Subject engine, Tensor input, int warmup, int iters) {
        checkCounts(warmup, iters);
        untimed(engine, input, warmup);
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) {
            ms[i] = time(engine, input);
        }
        Arrays.sort(ms);
        return new Result(ms);
    }

    /**
     * Untimed runs of an engine after the other one ran, before its timed run: at least one, until
     * this long has passed. ONNX Runtime's worker threads spin for a while after a run, and the
     * caches hold the other engine's data: the Java engine's resnet18 run right after ORT's took
     * 1.3-1.5x its time alone, and was back to it 50-100 ms later (docs/PERFORMANCE.md, Hosts and method).
     */
    static final long SETTLE_NANOS = 60_000_000L;
    /** At most this many settling runs (a model that runs in microseconds). */
    static final int MAX_SETTLE_RUNS = 20;

    /**
     * {@code warmup} untimed runs of {@code a}, then of {@code b}; then {@code iters} rounds of: {@code a}
     * settling ({@link #SETTLE_NANOS}), one timed run of {@code a}, the same for {@code b}. Each timed
     * run follows runs of its own engine, as in {@link #run}.
     */
    public static Paired runPaired(Subject a, Subject b, Tensor input, int warmup, int iters) {
        checkCounts(warmup, iters);
        untimed(a, input, warmup);
        untimed(b, input, warmup);
        double[] ta = new double[iters];
        double[] tb = new double[iters];
        double[] ratios = new double[iters];
        for (int i = 0; i < iters; i++) {
            settle(a, input);
            ta[i] = time(a, input);
            settle(b, input);
            tb[i] = time(b, input);
            ratios[i] = ta[i] / tb[i];
        }
        Arrays.sort(ta);
        Arrays.sort(tb);
        Arrays.sort(ratios);
        return new Paired(new Result(ta), new Result(tb), ratios);
    }

    private static void untimed(Subject engine, Tensor input, int runs) {
        for (int i = 0; i < runs; i++) {
            engine.run(input);
        }
    }

    private static void settle(Subject engine, Tensor input) {
        long t0 = System.nanoTime();
        int runs = 0;
        do {
            engine.run(input);
            runs++;
        } while (runs < MAX_SETTLE_RUNS && System.nanoTime() - t0 < SETTLE_NANOS);
    }

    private static void checkCounts(int warmup, int iters) {
        if (iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("iters must be >= 1 and warmup >= 0, got " + iters + " and " + warmup);
        }
    }

    private static double time(Subject engine, Tensor input) {
        long t0 = System.nanoTime();
        engine.run(input);
        return (System.nanoTime() - t0) / 1e6;
    }

    // of a sorted array
    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
