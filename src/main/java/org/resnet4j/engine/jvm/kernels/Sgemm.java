package org.resnet4j.engine.jvm.kernels;

/**
 * Single-precision matrix multiply over flat row-major arrays with leading dimensions. The one
 * seam where a faster kernel (packed panels, Vector API) replaces the blocked scalar one.
 *
 * <p>Contract: every element of C is computed by one thread, summing over k in ascending order,
 * so the result does not depend on the thread count. C may hold garbage when {@code accumulate}
 * is false.
 */
public interface Sgemm {
    // a (M,K) lda, b (K,N) ldb -> c (M,N) ldc; c = a·b, or c += a·b when accumulate
    void gemm(int m, int n, int k,
            float[] a, int aOff, int lda,
            float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc,
            boolean accumulate, Parallel par);

    /** A short name for reports. */
    String name();
}
