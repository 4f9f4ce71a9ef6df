package org.resnet4j.engine.jvm.kernels;

/** 2-D convolution: the naive oracle and im2col + GEMM. */
public final class ConvKernels {
    private ConvKernels() {}

    // x (N,C,H,W), w (OC,C/g,kH,kW), b (OC) or null -> y (N,OC,OH,OW); the oracle, double accumulation
    public static void naive(ConvGeometry g, float[] x, float[] w, float[] b, float[] y) {
        int cg = g.cPerGroup();
        int ocg = g.ocPerGroup();
        for (int n = 0; n < g.n(); n++) {
            for (int o = 0; o < g.oc(); o++) {
                int grp = o / ocg;
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        double s = b == null ? 0 : b[o];
                        for (int ci = 0; ci < cg; ci++) {
                            int c = grp * cg + ci;
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = oy * g.strideH() - g.padT() + ky * g.dilH();
                                if (iy < 0 || iy >= g.h()) {
                                    continue;
                                }
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = ox * g.strideW() - g.padL() + kx * g.dilW();
                                    if (ix < 0 || ix >= g.w()) {
                                        continue;
                                    }
                                    s += (double) x[((n * g.c() + c) * g.h() + iy) * g.w() + ix]
                                            * w[((o * cg + ci) * g.kh() + ky) * g.kw() + kx];
                                }
                            }
                        }
                        y[((n * g.oc() + o) * g.oh() + oy) * g.ow() + ox] = (float) s;
                    }
                }
            }
        }
    }

    /** Floats of scratch that {@link #im2colGemm} needs (0 for pointwise convolutions). */
    public static int scratchSize(ConvGeometry g) {
        return g.isPointwise() ? 0 : g.colRows() * g.oh() * g.ow();
    }

    /** Floats of scratch that {@link #conv} needs with {@code gemm}: none when it packs from the input itself. */
    public static int scratchSize(ConvGeometry g, Sgemm gemm) {
        return gemm.packsRowSources() ? 0 : scratchSize(g);
    }

    // x (N,C,H,W), w (OC,C/g,kH,kW), b (OC) or null -> y (N,OC,OH,OW); col scratch ((C/g)kHkW, OH·OW)
    public static void im2colGemm(
            ConvGeometry g, float[] x, float[] w, float[] b, float[] y, float[] col, Sgemm gemm, Parallel par) {
        int ohw = g.oh() * g.ow();
        int hw = g.h() * g.w();
        int cg = g.cPerGroup();
        int ocg = g.ocPerGroup();
        int kdim = g.colRows();
        for (int n = 0; n < g.n(); n++) {
            for (int grp = 0; grp < g.group(); grp++) {
                int xOff = (n * g.c() + grp * cg) * hw;
                int yOff = (n * g.oc() + grp * ocg) * ohw;
                float[] bm;
                int bOff;
                if (g.isPointwise()) {
                    bm = x;
                    bOff = xOff;
                } else {
                    int xo = xOff;
                    par.forRange(kdim, 8, (r0, r1) -> im2col(g, x, xo, col, r0, r1));
                    bm = col;
                    bOff = 0;
                }
                if (b != null) {
                    for (int o = 0; o < ocg; o++) {
                        java.util.Arrays.fill(y, yOff + o * ohw, yOff + (o + 1) * ohw, b[grp * ocg + o]);
                    }
                }
                gemm.gemm(ocg, ohw, kdim, w, grp * ocg * kdim, kdim, bm, bOff, ohw, y, yOff, ohw, b != null, par);
            }
        }
    }

    // x (N,C,H,W), w packed per group (OC/g, (C/g)kHkW), b (OC) or null, r (N,OC,OH,OW) or null
    //   -> y (N,OC,OH,OW) = relu?(conv(x, w) + b + r); col scratch of scratchSize(g, gemm) floats
    public static void conv(
            ConvGeometry g,
            float[] x,
            PackedA[] w,
            float[] b,
            float[] r,
            boolean relu,
            float[] y,
            float[] col,
            Sgemm gemm,
            Parallel par) {
        int ohw = g.oh() * g.ow();
        int hw = g.h() * g.w();
        int cg = g.cPerGroup();
        int ocg = g.ocPerGroup();
        int kdim = g.colRows();
        boolean none = b == null && r == null && !relu;
        for (int n = 0; n < g.n(); n++) {
            for (int grp = 0; grp < g.group(); grp++) {
                int xOff = (n * g.c() + grp * cg) * hw;
                int yOff = (n * g.oc() + grp * ocg) * ohw;
                float[] bm;
                int bOff;
                Epilogue e = none ? Epilogue.NONE : new Epilogue(b, grp * ocg, r, yOff, ohw, relu);
                if (g.isPointwise()) {
                    // 1x1 stride 1: the input planes are the GEMM's B, no copy
                    bm = x;
                    bOff = xOff;
                } else if (gemm.packsRowSources()) {
                    // implicit GEMM: the kernel packs im2col rows straight from x
                    gemm.gemm(w[grp], new ConvSource(g, x, xOff), ohw, y, yOff, ohw, e, par);
                    continue;
                } else {
                    int xo = xOff;
                    par.forRange(kdim, 8, (r0, r1) -> im2col(g, x, xo, col, r0, r1));
                    bm = col;
                    bOff = 0;
                }
                gemm.gemm(w[grp], ohw, bm, bOff, ohw, y, yOff, ohw, e, par);
            }
        }
    }

    // x (C/g,H,W) of one image and group at xOff -> col rows [r0,r1) of ((C/g)kHkW, OH·OW)
    static void im2col(ConvGeometry g, float[] x, int xOff, float[] col, int r0, int r1) {
        int kk = g.kh() * g.kw();
        int ow = g.ow();
        int ohw = g.oh() * ow;
        for (int r = r0; r < r1; r++) {
            int ci = r / kk;
            int ky = (r % kk) / g.kw();
            int kx = r % g.kw();
            int plane = xOff + ci * g.h() * g.w();
            int dst = r * ohw;
            // output columns ox in [lo, hi) read inside the row; the rest read padding
            int shift = kx * g.dilW() - g.padL();
            int sw = g.strideW();
            int lo = Math.min(ow, Math.max(0, ceilDiv(-shift, sw)));
            int hi = Math.max(lo, Math.min(ow, ceilDiv(g.w() - shift, sw)));
            for (int oy = 0; oy < g.oh(); oy++) {
                int iy = oy * g.strideH() - g.padT() + ky * g.dilH();
                int d = dst + oy * ow;
                if (iy < 0 || iy >= g.h()) {
                    java.util.Arrays.fill(col, d, d + ow, 0f);
                    continue;
                }
                int src = plane + iy * g.w() + shift;
                // the padding runs are a column or two: plain loops, not Arrays.fill calls
                for (int t = d; t < d + lo; t++) {
                    col[t] = 0f;
                }
                if (hi == lo) {
                    // the whole row reads padding
                } else if (sw == 1) {
                    System.arraycopy(x, src + lo, col, d + lo, hi - lo);
                } else {
                    for (int ox = lo; ox < hi; ox++) {
                        col[d + ox] = x[src + ox * sw];
                    }
                }
                for (int t = d + hi; t < d + ow; t++) {
                    col[t] = 0f;
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
