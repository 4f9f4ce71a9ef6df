package org.resnet4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.tensor.TensorSpec;

/** What the paired benchmark runs, in which order, and how it pairs the times (no time is asserted). */
class BenchmarkTest {
    /** An engine that only records that it ran. */
    private record Recording(String name, List<String> log) implements Engine {
        @Override
        public List<TensorSpec> inputs() {
            return List.of();
        }

        @Override
        public List<String> outputNames() {
            return List.of("y");
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Tensor run(Tensor input) {
            log.add(name);
            return input;
        }

        @Override
        public String describe() {
            return name;
        }

        @Override
        public void close() {}
    }

    @Test
    void pairedRunsWarmEachThenAlternateWithSettlingRunsBeforeEveryTimedOne() {
        List<String> log = new ArrayList<>();
        Benchmark.Paired p =
                Benchmark.runPaired(new Recording("a", log)::run, new Recording("b", log)::run, Tensor.zeros(1), 2, 4);
        // warm-up a a, b b; then per round a block of a (settling runs + the timed one), a block of b
        assertEquals(List.of("a", "a", "b", "b"), log.subList(0, 4));
        List<String> blocks = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (String e : log.subList(4, log.size())) {
            if (blocks.isEmpty() || !blocks.get(blocks.size() - 1).equals(e)) {
                blocks.add(e);
                sizes.add(0);
            }
            sizes.set(sizes.size() - 1, sizes.get(sizes.size() - 1) + 1);
        }
        assertEquals(List.of("a", "b", "a", "b", "a", "b", "a", "b"), blocks);
        // an engine that takes no time settles for the maximum number of runs, then runs once timed
        for (int n : sizes) {
            assertTrue(n >= 2 && n <= Benchmark.MAX_SETTLE_RUNS + 1, sizes.toString());
        }
        assertEquals(4, p.first().millis().length);
        assertEquals(4, p.second().millis().length);
        assertEquals(4, p.ratios().length);
    }

    @Test
    void ratiosAreSortedAndTheStatisticsReadThem() {
        Benchmark.Paired p = new Benchmark.Paired(
                new Benchmark.Result(new double[] {2, 4, 9}),
                new Benchmark.Result(new double[] {1, 2, 3}),
                new double[] {1.5, 2, 3});
        assertEquals(2, p.ratioMedian());
        assertEquals(1.5, p.ratioMin());
        assertEquals(3, p.ratioMax());
        assertEquals(2, p.bestRatio()); // 2 ms over 1 ms
        assertEquals(4, p.first().median());
        assertEquals(2.5, new Benchmark.Result(new double[] {1, 2, 3, 4}).median());

        List<String> log = new ArrayList<>();
        Benchmark.Paired q =
                Benchmark.runPaired(new Recording("a", log)::run, new Recording("b", log)::run, Tensor.zeros(1), 0, 7);
        double[] sorted = q.ratios().clone();
        java.util.Arrays.sort(sorted);
        assertArrayEquals(sorted, q.ratios());
        assertTrue(q.ratioMin() <= q.ratioMedian() && q.ratioMedian() <= q.ratioMax());
    }

    @Test
    void countsAreChecked() {
        List<String> log = new ArrayList<>();
        Engine a = new Recording("a", log);
        assertThrows(IllegalArgumentException.class, () -> Benchmark.runPaired(a::run, a::run, Tensor.zeros(1), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Benchmark.run(a::run, Tensor.zeros(1), -1, 1));
        assertTrue(log.isEmpty());
    }
}
