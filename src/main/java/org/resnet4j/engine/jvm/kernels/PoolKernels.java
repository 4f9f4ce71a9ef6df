package org.resnet4j.engine.jvm.kernels;

/**
 * 2-D max and average pooling, direct loops (pooling is a small share of a ResNet's time).
 * Parallel over (n, c) planes; each output element is computed by one thread.
 */
public final class PoolKernels {
    private PoolKernels() {}

    /** x (n,c,h,w) -> y (n,c,oh,ow) with kernel kh x kw; padT/padL leading; padB/padR trailing. */
    public record PoolGeometry(
            int n,
            int c,
            int h,
            int w,
            int kh,
            int kw,
            int strideH,
            int strideW,
            int dilH,
            int dilW,
            int padT,
            int padL,
            int padB,
            int padR,
            int oh,
            int ow) {}

    // x (N,C,H,W) -> y (N,C,OH,OW); padding never wins (windows that see only padding give -inf)
    public static void maxPool(PoolGeometry g, float[] x, float[] y, Parallel par) {
        int hw = g.h() * g.w();
        int ohw = g.oh() * g.ow();
        par.forRange(g.n() * g.c(), 1, (p0, p1) -> {
            float[] colMax = new float[g.w()];
            for (int p = p0; p < p1; p++) {
                for (int oy = 0; oy < g.oh(); oy++) {
                    maxPoolRow(g, x, p * hw, y, p * ohw + oy * g.ow(), oy, colMax);
                }
            }
        });
    }

    // x plane (H,W) at xp -> output row oy, (OW) at yo; colMax: W floats of scratch. Separable: first the
    // max over the window's rows for every input column (a loop C2 vectorises), then over each window's
    // columns. Max is associative and commutative up to the sign of a zero (NaN wins), so the order does not matter.
    // A small method called per row: as one long loop inside the lambda it ran as on-stack-replaced
    // code, about 10x slower.
    private static void maxPoolRow(PoolGeometry g, float[] x, int xp, float[] y, int yo, int oy, float[] colMax) {
        int iy0 = oy * g.strideH() - g.padT();
        // the window rows inside the input: ky in [ky0, ky1)
        int ky0 = Math.max(0, ceilDiv(-iy0, g.dilH()));
        int ky1 = Math.min(g.kh(), ceilDiv(g.h() - iy0, g.dilH()));
        int w = g.w();
        int dilW = g.dilW();
        java.util.Arrays.fill(colMax, Float.NEGATIVE_INFINITY);
        for (int ky = ky0; ky < ky1; ky++) {
            int row = xp + (iy0 + ky * g.dilH()) * w;
            Rows.max(colMax, x, row, w);
        }
        for (int ox = 0; ox < g.ow(); ox++) {
            float m = Float.NEGATIVE_INFINITY;
            int ix0 = ox * g.strideW() - g.padL();
            // the window columns inside the input; no integer division when undilated (it dominated)
            int kx0 = dilW == 1 ? Math.max(0, -ix0) : Math.max(0, ceilDiv(-ix0, dilW));
            int kx1 = dilW == 1 ? Math.min(g.kw(), w - ix0) : Math.min(g.kw(), ceilDiv(w - ix0, dilW));
            for (int kx = kx0; kx < kx1; kx++) {
                m = Rows.max(m, colMax[ix0 + kx * dilW]);
            }
            y[yo + ox] = m;
        }
    }

    /**
     * x (N,C,H,W) -> y (N,C,OH,OW). The divisor counts the window's elements inside the input, or
     * with {@code countIncludePad} also those in the explicit padding (never those past it, which
     * only ceil_mode can reach).
     */
    public static void avgPool(PoolGeometry g, boolean countIncludePad, float[] x, float[] y, Parallel par) {
        int hw = g.h() * g.w();
        int ohw = g.oh() * g.ow();
        par.forRange(g.n() * g.c(), 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xp = p * hw;
                int yp = p * ohw;
                for (int oy = 0; oy < g.oh(); oy++) {
                    long iy0 = (long) oy * g.strideH() - g.padT();
                    // only the taps inside the input are visited, and those in the padding counted: work is
                    // bounded by the input a window covers, not by the kernel (a 2^18-wide kernel ran 60 s)
                    int ky0 = firstTap(iy0, g.dilH(), 0);
                    int ky1 = endTap(iy0, g.dilH(), g.kh(), g.h());
                    long rowsPadded = Math.max(
                            0,
                            endTap(iy0, g.dilH(), g.kh(), (long) g.h() + g.padB())
                                    - firstTap(iy0, g.dilH(), -g.padT()));
                    for (int ox = 0; ox < g.ow(); ox++) {
                        long ix0 = (long) ox * g.strideW() - g.padL();
                        int kx0 = firstTap(ix0, g.dilW(), 0);
                        int kx1 = endTap(ix0, g.dilW(), g.kw(), g.w());
                        double s = 0;
                        for (int ky = ky0; ky < ky1; ky++) {
                            int row = xp + (int) (iy0 + (long) ky * g.dilH()) * g.w();
                            for (int kx = kx0; kx < kx1; kx++) {
                                s += x[row + (int) (ix0 + (long) kx * g.dilW())];
                            }
                        }
                        long inside = (long) Math.max(0, ky1 - ky0) * Math.max(0, kx1 - kx0);
                        long colsPadded = Math.max(
                                0,
                                endTap(ix0, g.dilW(), g.kw(), (long) g.w() + g.padR())
                                        - firstTap(ix0, g.dilW(), -g.padL()));
                        long count = countIncludePad ? rowsPadded * colsPadded : inside;
                        y[yp + oy * g.ow() + ox] = count == 0 ? 0f : (float) (s / count);
                    }
                }
            }
        });
    }

    // the first tap k >= 0 of a window starting at base with dilation dil whose position is >= lo
    private static int firstTap(long base, int dil, long lo) {
        return (int) Math.max(0, -Math.floorDiv(base - lo, (long) dil));
    }

    // one past the last tap k < kernel whose position base + k·dil is < hi
    private static int endTap(long base, int dil, int kernel, long hi) {
        return (int) Math.max(0, Math.min(kernel, -Math.floorDiv(base - hi, (long) dil)));
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
