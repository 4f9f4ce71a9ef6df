package org.resnet4j.engine.jvm.kernels.nchwc;

import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.VectorWidth;

/**
 * The channel-blocked activation layout (MLAS's NCHWc): x (N,C,H,W) is stored as
 * (N, ceil(C/L), H, W, L), L = {@link VectorWidth#L} floats (16 at 512 bits, 8 at 256, 4 at 128),
 * so that the L channels of one pixel are one vector. Channels past C in the last block
 * are zero, and every kernel in this package keeps them zero (zero weights, zero bias), so a padded
 * lane never turns into a NaN that a later zero weight would spread. Loaded only when the
 * {@code jdk.incubator.vector} module is present.
 */
public final class Nchwc {
    /** Floats per channel block. */
    public static final int L = VectorWidth.L;

    private Nchwc() {}

    /** Channel blocks for {@code c} channels. */
    public static int blocks(int c) {
        return (c + L - 1) / L;
    }

    /** The blocked shape (N, ceil(C/L), H, W, L) of a logical (N, C, H, W). */
    public static int[] blockedShape(int n, int c, int h, int w) {
        return new int[] {n, blocks(c), h, w, L};
    }

    // x (N,C,H,W) -> y (N,CB,H,W,L), lanes past C zero
    public static void toBlocked(float[] x, int n, int c, int h, int w, float[] y, Parallel par) {
        int cb = blocks(c);
        int hw = h * w;
        par.forRange(n * cb, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, hw * L)), (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int img = b / cb;
                int c0 = b % cb * L;
                int lanes = Math.min(L, c - c0);
                int yo = b * hw * L;
                for (int l = 0; l < lanes; l++) {
                    int xo = (img * c + c0 + l) * hw;
                    for (int p = 0; p < hw; p++) {
                        y[yo + p * L + l] = x[xo + p];
                    }
                }
                for (int l = lanes; l < L; l++) {
                    for (int p = 0; p < hw; p++) {
                        y[yo + p * L + l] = 0f;
                    }
                }
            }
        });
    }

    // x (N,CB,H,W,L) -> y (N,C,H,W): the padded lanes dropped
    public static void fromBlocked(float[] x, int n, int c, int h, int w, float[] y, Parallel par) {
        int cb = blocks(c);
        int hw = h * w;
        par.forRange(n * cb, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, hw * L)), (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int img = b / cb;
                int c0 = b % cb * L;
                int lanes = Math.min(L, c - c0);
                int xo = b * hw * L;
                for (int l = 0; l < lanes; l++) {
                    int yo = (img * c + c0 + l) * hw;
                    for (int p = 0; p < hw; p++) {
                        y[yo + p] = x[xo + p * L + l];
                    }
                }
            }
        });
    }
}
