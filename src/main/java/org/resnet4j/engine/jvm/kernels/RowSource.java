package org.resnet4j.engine.jvm.kernels;

/**
 * A (K,N) right-hand GEMM operand that is never materialised: a kernel that packs B asks it for
 * pieces of rows as it packs. The convolution's implicit im2col matrix ({@link ConvSource}) is one.
 */
public interface RowSource {
    // -> dst[0, len) = row r, columns [j0, j0 + len)
    void row(int r, int j0, int len, float[] dst);
}
