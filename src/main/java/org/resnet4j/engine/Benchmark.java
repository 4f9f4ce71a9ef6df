package org.resnet4j.engine;

import java.util.Arrays;
import org.resnet4j.tensor.Tensor;

/**
 * Times an engine on one input: {@code warmup} untimed runs, then {@code iters} timed ones.
 * Wall-clock per run, so it includes copying the input in and the output out, as a user sees it.
 */
public final class Benchmark {
    private Benchmark() {}

    /** Milliseconds per run, sorted ascending. */
    public record Result(double[] millis) {
        public double min() {
            return millis[0];
        }

        public double max() {
            return millis[millis.length - 1];
        }

        public double median() {
            int n = millis.length;
            return n % 2 == 1 ? millis[n / 2] : (millis[n / 2 - 1] + millis[n / 2]) / 2;
        }
    }

    public static Result run(Engine engine, Tensor input, int warmup, int iters) {
        if (iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("iters must be >= 1 and warmup >= 0, got " + iters + " and " + warmup);
        }
        for (int i = 0; i < warmup; i++) {
            engine.run(input);
        }
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            engine.run(input);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new Result(ms);
    }
}
