package org.resnet4j.engine.jvm.kernels;

/**
 * The left operand of a GEMM, a (M,K) row-major, in the layout one {@link Sgemm} wants. Made once per
 * weight at load ({@link Sgemm#pack}), then read by every run. {@code data} is the kernel's layout
 * (null when the kernel reads {@code a} as it is); {@code a, aOff, lda} always describe the original.
 */
public record PackedA(int m, int k, float[] a, int aOff, int lda, float[] data, String layout) {}
