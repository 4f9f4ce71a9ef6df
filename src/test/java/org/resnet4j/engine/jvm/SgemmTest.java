package org.resnet4j.engine.jvm;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resnet4j.engine.jvm.kernels.BlockedSgemm;
import org.resnet4j.engine.jvm.kernels.NaiveSgemm;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.tensor.Tensor;

/** The blocked GEMM against the naive oracle over odd shapes, offsets, leading dimensions, threads. */
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
        int[] sizes = {1, 3, 7, 17, 65, 129, 300};
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
                    BlockedSgemm.INSTANCE.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, got, cOff, ldc, acc, par);
                    float[] refC = new float[m * n];
                    float[] gotC = new float[m * n];
                    for (int i = 0; i < m; i++) {
                        System.arraycopy(ref, cOff + i * ldc, refC, i * n, n);
                        System.arraycopy(got, cOff + i * ldc, gotC, i * n, n);
                    }
                    OneNode.assertClose(String.format("sgemm m=%d n=%d k=%d acc=%s threads=%d", m, n, k, acc, threads),
                            Tensor.of(new int[] {m, n}, refC), Tensor.of(new int[] {m, n}, gotC), GEMM_TOLERANCE);
                }
            }
        }
    }
}
