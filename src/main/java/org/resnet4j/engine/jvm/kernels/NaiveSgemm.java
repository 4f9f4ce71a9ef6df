package org.resnet4j.engine.jvm.kernels;

/** The oracle: three loops, double accumulation, one thread. Slow on purpose; tests compare to it. */
public final class NaiveSgemm implements Sgemm {
    public static final NaiveSgemm INSTANCE = new NaiveSgemm();

    private NaiveSgemm() {}

    // a (M,K) lda, b (K,N) ldb -> c (M,N) ldc
    @Override
    public void gemm(
            int m,
            int n,
            int k,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate,
            Parallel par) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? c[cOff + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[aOff + i * lda + p] * b[bOff + p * ldb + j];
                }
                c[cOff + i * ldc + j] = (float) s;
            }
        }
    }

    @Override
    public String name() {
        return "naive";
    }
}
