package org.resnet4j.security;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.engine.Engine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;

/**
 * Many threads on one engine: each inference's output is compared bit for bit with the answer the
 * same engine gave single-threaded for that input. Used by the short concurrency test (default
 * suite) and the soak test ({@code -Psoak}).
 */
final class EngineHammer {
    static final Path TINY = PythonReference.root().resolve("testdata/golden/tiny_basic");

    private EngineHammer() {}

    /** The tiny_basic golden model (spec + torch weights), as ONNX. */
    static ModelProto tinyModel() {
        return OnnxBuild.buildModel(
                SpecJson.read(TINY.resolve("spec.json")),
                OnnxBuild.loadWeights(TINY.resolve("weights.pth")),
                OnnxBuild.ExportOptions.defaults());
    }

    /** {@code n} seeded inputs of the tiny model's shape, batch 1 or 2. */
    static List<Tensor> inputs(int n) {
        Random r = new Random(7);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int batch = 1 + i % 2;
            float[] x = new float[batch * 3 * 32 * 24];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) r.nextGaussian();
            }
            out.add(Tensor.of(new int[] {batch, 3, 32, 24}, x));
        }
        return out;
    }

    static int[] bits(Tensor t) {
        float[] a = t.toArray();
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }

    record Result(long inferences, long mismatches, long nanos) {}

    /** {@code threads} threads, each running {@code perThread} inferences over the inputs in its own order. */
    static Result hammer(Engine engine, List<Tensor> inputs, int threads, int perThread) throws Exception {
        List<int[]> expected = new ArrayList<>();
        for (Tensor x : inputs) {
            expected.add(bits(engine.run(x)));
        }
        AtomicLong done = new AtomicLong();
        AtomicLong bad = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int k = (i * 7 + seed * 13) % inputs.size();
                        if (!Arrays.equals(expected.get(k), bits(engine.run(inputs.get(k))))) {
                            bad.incrementAndGet();
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return new Result(done.get(), bad.get(), System.nanoTime() - start);
    }
}
