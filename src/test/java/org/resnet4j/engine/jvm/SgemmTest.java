package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resnet4j.engine.jvm.kernels.BlockedSgemm;
import org.resnet4j.engine.jvm.kernels.Epilogue;
import org.resnet4j.engine.jvm.kernels.NaiveSgemm;
import org.resnet4j.engine.jvm.kernels.PackedA;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.Sgemm;
import org.resnet4j.engine.jvm.kernels.VectorSgemm;
import org.resnet4j.tensor.Tensor;

/** The fast GEMMs against the naive oracle over odd shapes, offsets, leading dimensions, threads. */
class SgemmTest {
    /** float sums in blocks vs double sums, relative to max |c|. */
    static final double GEMM_TOLERANCE = 1e-5;

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void blockedMatchesNaive() {
        matchesNaive(BlockedSgemm.INSTANCE);
    }

    @Test
    void vectorMatchesNaive() {
        matchesNaive(VectorSgemm.INSTANCE);
    }

    @Test
    void packedWithEpilogueMatchesNaiveThenEpilogue() {
        // K past one KC block (256) and M, N past MR/NR multiples; bias, residual and relu in every combination
        int[] sizes = {1, 3, 7, 17, 65, 127, 300, 513};
        Random r = new Random(78);
        for (Sgemm fast : new Sgemm[] {VectorSgemm.INSTANCE, BlockedSgemm.INSTANCE}) {
            for (int threads : new int[] {1, 2}) {
                try (Parallel par = new Parallel(threads)) {
                    for (int t = 0; t < 40; t++) {
                        int m = sizes[r.nextInt(sizes.length)];
                        int n = sizes[r.nextInt(sizes.length)];
                        int k = sizes[r.nextInt(sizes.length)];
                        int aOff = r.nextInt(5);
                        float[] a = random(r, aOff + m * k);
                        float[] b = random(r, k * n);
                        float[] bias = (t & 1) != 0 ? random(r, m + 2) : null;
                        float[] res = (t & 2) != 0 ? random(r, 3 + m * n) : null;
                        Epilogue e = new Epilogue(bias, 2, res, 3, n, (t & 4) != 0);
                        float[] ref = new float[m * n];
                        NaiveSgemm.INSTANCE.gemm(m, n, k, a, aOff, k, b, 0, n, ref, 0, n, false, par);
                        e.applyTo(m, n, ref, 0, n, par);
                        float[] got = new float[m * n];
                        Arrays.fill(got, Float.NaN);
                        PackedA pa = fast.pack(m, k, a, aOff, k);
                        fast.gemm(pa, n, b, 0, n, got, 0, n, e, par);
                        OneNode.assertClose(
                                String.format(
                                        "%s packed m=%d n=%d k=%d bias=%s res=%s relu=%s threads=%d",
                                        fast.name(), m, n, k, bias != null, res != null, e.relu(), threads),
                                Tensor.of(new int[] {m, n}, ref),
                                Tensor.of(new int[] {m, n}, got),
                                GEMM_TOLERANCE);
                    }
                }
            }
        }
    }

    @Test
    void vectorIsBitwiseIndependentOfThreads() {
        Random r = new Random(79);
        int[][] shapes = {{64, 3136, 147}, {512, 49, 4608}, {1, 1000, 2048}, {130, 97, 300}};
        try (Parallel one = new Parallel(1);
                Parallel two = new Parallel(2);
                Parallel three = new Parallel(3)) {
            for (int[] s : shapes) {
                float[] a = random(r, s[0] * s[2]);
                float[] b = random(r, s[2] * s[1]);
                float[] c1 = new float[s[0] * s[1]];
                float[] c2 = new float[s[0] * s[1]];
                float[] c3 = new float[s[0] * s[1]];
                VectorSgemm.INSTANCE.gemm(s[0], s[1], s[2], a, 0, s[2], b, 0, s[1], c1, 0, s[1], false, one);
                VectorSgemm.INSTANCE.gemm(s[0], s[1], s[2], a, 0, s[2], b, 0, s[1], c2, 0, s[1], false, two);
                VectorSgemm.INSTANCE.gemm(s[0], s[1], s[2], a, 0, s[2], b, 0, s[1], c3, 0, s[1], false, three);
                assertArrayEquals(c1, c2, "1 vs 2 threads, " + Arrays.toString(s));
                assertArrayEquals(c1, c3, "1 vs 3 threads, " + Arrays.toString(s));
            }
        }
    }

    /**
     * The few-rows path (a fully connected layer at batch 1-3) against its stated order, computed by hand:
     * per element, each block of 256 k summed from zero by one fma per k ascending, then added to C.
     * Bitwise, over column tails (n not a multiple of the vector), k not a multiple of 4, offsets and
     * leading dimensions, with and without accumulation, on 1 and 3 threads.
     */
    @Test
    void fewRowsSumEachKBlockInOrder() {
        Random r = new Random(81);
        int[][] shapes = {{1, 1000, 512}, {2, 37, 2048}, {3, 129, 301}, {1, 5, 3}};
        try (Parallel one = new Parallel(1);
                Parallel three = new Parallel(3)) {
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                int lda = k + 1, ldb = n + 2, ldc = n + 3;
                for (boolean acc : new boolean[] {false, true}) {
                    float[] a = random(r, 1 + m * lda);
                    float[] b = random(r, 2 + k * ldb);
                    float[] c0 = random(r, 3 + m * ldc);
                    float[] want = c0.clone();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            float sum = acc ? c0[3 + i * ldc + j] : 0f;
                            for (int kb = 0; kb < k; kb += 256) {
                                float part = 0f;
                                for (int kk = kb; kk < Math.min(k, kb + 256); kk++) {
                                    part = Math.fma(b[2 + kk * ldb + j], a[1 + i * lda + kk], part);
                                }
                                sum = kb == 0 && !acc ? part : sum + part;
                            }
                            want[3 + i * ldc + j] = sum;
                        }
                    }
                    for (Parallel par : new Parallel[] {one, three}) {
                        float[] got = c0.clone();
                        VectorSgemm.INSTANCE.gemm(m, n, k, a, 1, lda, b, 2, ldb, got, 3, ldc, acc, par);
                        assertArrayEquals(want, got, Arrays.toString(s) + " acc=" + acc);
                    }
                }
            }
        }
    }

    private static void matchesNaive(Sgemm fast) {
        int[] sizes = {1, 3, 7, 17, 65, 127, 129, 300};
        Random r = new Random(77);
        for (int threads : new int[] {1, 3}) {
            try (Parallel par = new Parallel(threads)) {
                for (int t = 0; t < 60; t++) {
                    int m = sizes[r.nextInt(sizes.length)];
                    int n = sizes[r.nextInt(sizes.length)] + (t % 7 == 0 ? 512 : 0);
                    int k = sizes[r.nextInt(sizes.length)];
                    int lda = k + r.nextInt(3);
                    int ldb = n + r.nextInt(3);
                    int ldc = n + r.nextInt(3);
                    int aOff = r.nextInt(5);
                    int bOff = r.nextInt(5);
                    int cOff = r.nextInt(5);
                    boolean acc = r.nextBoolean();
                    float[] a = random(r, aOff + m * lda);
                    float[] b = random(r, bOff + k * ldb);
                    float[] c0 = random(r, cOff + m * ldc);
                    float[] ref = c0.clone();
                    float[] got = c0.clone();
                    if (!acc) {
                        Arrays.fill(got, cOff, got.length, Float.NaN); // garbage in C must not matter
                    }
                    NaiveSgemm.INSTANCE.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, ref, cOff, ldc, acc, par);
                    fast.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, got, cOff, ldc, acc, par);
                    float[] refC = new float[m * n];
                    float[] gotC = new float[m * n];
                    for (int i = 0; i < m; i++) {
                        System.arraycopy(ref, cOff + i * ldc, refC, i * n, n);
                        System.arraycopy(got, cOff + i * ldc, gotC, i * n, n);
                    }
                    OneNode.assertClose(
                            String.format(fast.name() + " m=%d n=%d k=%d acc=%s threads=%d", m, n, k, acc, threads),
                            Tensor.of(new int[] {m, n}, refC),
                            Tensor.of(new int[] {m, n}, gotC),
                            GEMM_TOLERANCE);
                }
            }
        }
    }
}
