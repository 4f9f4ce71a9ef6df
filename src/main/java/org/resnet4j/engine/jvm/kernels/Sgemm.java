package org.resnet4j.engine.jvm.kernels;

/**
 * Single-precision matrix multiply over flat row-major arrays with leading dimensions. The one
 * seam where a faster kernel (packed panels, Vector API) replaces the scalar ones.
 *
 * <p>Contract: every element of C is computed by one thread, summing over k in ascending order in
 * an order fixed by the kernel, not by the thread split, so the result does not depend on the
 * thread count. C may hold garbage when {@code accumulate} is false.
 */
public interface Sgemm {
    // a (M,K) lda, b (K,N) ldb -> c (M,N) ldc; c = a·b, or c += a·b when accumulate
    void gemm(
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
            Parallel par);

    /** A short name for reports. */
    String name();

    /** a (M,K) in this kernel's layout; the default keeps a reference to {@code a}, which must not change. */
    default PackedA pack(int m, int k, float[] a, int aOff, int lda) {
        return new PackedA(m, k, a, aOff, lda, null, "none");
    }

    // a packed (M,K), b (K,N) ldb -> c (M,N) ldc; c = epilogue(a·b). The default: gemm, then a pass.
    default void gemm(
            PackedA a,
            int n,
            float[] b,
            int bOff,
            int ldb,
            float[] c,
            int cOff,
            int ldc,
            Epilogue epilogue,
            Parallel par) {
        gemm(a.m(), n, a.k(), a.a(), a.aOff(), a.lda(), b, bOff, ldb, c, cOff, ldc, false, par);
        epilogue.applyTo(a.m(), n, c, cOff, ldc, par);
    }

    /** True when {@link #gemm(PackedA, RowSource, int, float[], int, int, Epilogue, Parallel)} packs from the source directly. */
    default boolean packsRowSources() {
        return false;
    }

    // a packed (M,K), b a row source (K,N) -> c (M,N) ldc = epilogue(a·b). The default materialises b
    // (allocating): callers of kernels that return false from packsRowSources should pass a dense B instead.
    default void gemm(PackedA a, RowSource b, int n, float[] c, int cOff, int ldc, Epilogue epilogue, Parallel par) {
        float[] col = new float[a.k() * n];
        float[] row = new float[n];
        for (int r = 0; r < a.k(); r++) {
            b.row(r, 0, n, row);
            System.arraycopy(row, 0, col, r * n, n);
        }
        gemm(a, n, col, 0, n, c, cOff, ldc, epilogue, par);
    }
}
