package org.resnet4j.engine.jvm.kernels;

/**
 * Cache-blocked scalar SGEMM: for a block of C columns and a block of k, each row of C takes
 * rank-1 updates {@code c[i, j..] += a[i, p] * b[p, j..]} that C2 auto-vectorises. Work is split
 * over rows of C when there are enough of them, else over column blocks (the fully connected layer
 * at batch 1 has one row).
 */
public final class BlockedSgemm implements Sgemm {
    public static final BlockedSgemm INSTANCE = new BlockedSgemm();

    /** Columns per block: a 1 KiB strip of a C row stays in L1 while k runs. */
    static final int NB = 256;
    /** Depth per block: a KB x NB panel of B (128 KiB) stays in L2. */
    static final int KB = 128;
    /** Rows per task below which splitting over rows is not worth it. */
    static final int MIN_ROWS = 4;

    private BlockedSgemm() {}

    // a (M,K) lda, b (K,N) ldb -> c (M,N) ldc
    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, boolean accumulate, Parallel par) {
        if (m >= MIN_ROWS * par.threads() || n <= NB) {
            par.forRange(m, MIN_ROWS, (i0, i1) -> block(i0, i1, 0, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate));
        } else {
            int colBlocks = (n + NB - 1) / NB;
            par.forRange(colBlocks, 1, (b0, b1) -> block(0, m, b0 * NB, Math.min(n, b1 * NB), k,
                    a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate));
        }
    }

    // rows [i0,i1) x columns [j0,j1) of c = a·b (+ c)
    static void block(int i0, int i1, int j0, int j1, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, boolean accumulate) {
        for (int jb = j0; jb < j1; jb += NB) {
            int je = Math.min(j1, jb + NB);
            if (!accumulate) {
                for (int i = i0; i < i1; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc + jb, cOff + i * ldc + je, 0f);
                }
            }
            for (int kb = 0; kb < k; kb += KB) {
                int ke = Math.min(k, kb + KB);
                for (int i = i0; i < i1; i++) {
                    int cRow = cOff + i * ldc;
                    int aRow = aOff + i * lda;
                    for (int p = kb; p < ke; p++) {
                        axpy(a[aRow + p], b, bOff + p * ldb + jb, c, cRow + jb, je - jb);
                    }
                }
            }
        }
    }

    // x (len), y (len): y += alpha * x
    private static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        for (int j = 0; j < len; j++) {
            y[yOff + j] += alpha * x[xOff + j];
        }
    }

    @Override
    public String name() {
        return "blocked-scalar";
    }
}
