package org.resnet4j.engine.jvm.kernels.nchwc;

import static org.resnet4j.engine.jvm.kernels.nchwc.Nchwc.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.resnet4j.engine.jvm.kernels.ConvGeometry;
import org.resnet4j.engine.jvm.kernels.Parallel;

/**
 * Direct 2-D convolution on the {@link Nchwc} layout, no im2col and no packing at run time:
 * x (N,CB,H,W,L), weights from {@link BlockedWeights} -> y (N,OCB,OH,OW,L) = relu?(conv + b + r).
 *
 * <p>Register tile: 4 output channel blocks x 3 output pixels of one row (12 vector accumulators;
 * with the 3 broadcast inputs and one weight vector that is the 16 registers AVX2 has). For every
 * input channel of every tap it loads the 4 weight vectors once and broadcasts each pixel's input
 * value once: 12 FMAs for 7 loads. A 1x1 stride-1 convolution is the same kernel over one "row" of
 * H·W pixels per image, which makes it a GEMM over channel blocks with no copy of the input.
 *
 * <p>Edges: the taps a pixel reads outside the input are skipped, not multiplied by zero. Rows skip
 * their out-of-range ky for the whole tile; the pixels near the left and right edge, and the last
 * one or two of a row, run a one-pixel tile that takes only their valid kx. Each output element sums
 * input blocks, ky, kx and input lanes in ascending order whichever tile computes it, and whole rows
 * (or row chunks) are split between threads, so results do not depend on the thread count.
 */
public final class DirectConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Output pixels per register tile. */
    static final int PX = 3;
    /** Output pixels per work item along a row (and along the H·W row of a 1x1 convolution). */
    static final int ROW_CHUNK = 32 * PX;
    /**
     * Multiply-adds below which a task is not handed to another thread. The hand-off costs 2.6 µs
     * median, 5.6 µs p90 (GemmProbe, on the loaded 2-core box); 2^20 multiply-adds take ~10 µs at
     * the ~100 GFLOP/s this kernel reaches on one AVX2 core, so a task pays at most ~1/3 at p90 and
     * ~1/4 at the median, and a convolution runs on one thread below twice that size.
     */
    static final long MIN_TASK_MACS = 1L << 20;

    private final float[] x;
    private final float[] y;
    private final float[] r;
    private final float[] wd;
    private final float[] bias;
    private final boolean relu;
    private final BlockedWeights w;
    private final int cb;
    private final int ocb;
    private final int h;
    private final int wIn;
    private final int oh;
    private final int ow;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int dh;
    private final int dw;
    private final int padT;
    private final int padL;
    private final int plane;
    private final int rowStride;
    private final int oplane;
    private final int chunks;
    private final int rowsPerTile;
    /** Output pixels [inLo, inHi) of a row read every kx inside the input. */
    private final int inLo;
    private final int inHi;

    private DirectConv(ConvGeometry g, float[] x, BlockedWeights w, float[] r, boolean relu, float[] y) {
        this.x = x;
        this.y = y;
        this.r = r;
        this.w = w;
        this.wd = w.data;
        this.bias = w.bias;
        this.relu = relu;
        cb = Nchwc.blocks(g.c());
        ocb = Nchwc.blocks(g.oc());
        h = g.h();
        wIn = g.w();
        oh = g.oh();
        ow = g.ow();
        kh = g.kh();
        kw = g.kw();
        sh = g.strideH();
        sw = g.strideW();
        dh = g.dilH();
        dw = g.dilW();
        padT = g.padT();
        padL = g.padL();
        plane = h * wIn * L;
        rowStride = wIn * L;
        oplane = oh * ow * L;
        chunks = (ow + ROW_CHUNK - 1) / ROW_CHUNK;
        rowsPerTile = g.n() * oh * chunks;
        int lo = Math.min(ow, ceilDiv(padL, sw));
        int last = wIn - 1 + padL - (kw - 1) * dw;
        int hi = last < 0 ? 0 : Math.min(ow, last / sw + 1);
        inLo = lo;
        inHi = Math.max(lo, hi);
    }

    // x (N,CB,H,W,L), w packed for (OC, C/g, kH, kW), r (N,OCB,OH,OW,L) or null -> y (N,OCB,OH,OW,L)
    public static void conv(ConvGeometry g, float[] x, BlockedWeights w, float[] r, boolean relu, float[] y, Parallel par) {
        assert w.oc == g.oc() && w.c == g.c() && w.kh == g.kh() && w.kw == g.kw() : "weights packed for another shape";
        ConvGeometry e = g;
        if (g.isPointwise()) {
            // 1x1 stride 1: every image is one row of H·W pixels
            int hw = g.h() * g.w();
            e = new ConvGeometry(g.n(), g.c(), 1, hw, g.oc(), g.group(), 1, 1, 1, 1, 1, 1, 0, 0, 1, hw);
        }
        new DirectConv(e, x, w, r, relu, y).run(g, par);
    }

    private void run(ConvGeometry g, Parallel par) {
        int items = w.tiles() * rowsPerTile;
        long macs = 0;
        for (int t = 0; t < w.tiles(); t++) {
            macs += (long) w.tileBlocks[t] * w.tileIcbs[t];
        }
        macs *= (long) L * L * kh * kw * g.n() * oh * ow;
        long perItem = Math.max(1, macs / Math.max(1, items));
        int grain = (int) Math.min(items, Math.max(1, MIN_TASK_MACS / perItem));
        if (macs < 2 * MIN_TASK_MACS) {
            grain = Math.max(1, items);
        }
        par.forRange(items, grain, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int tile = i / rowsPerTile;
                int rest = i % rowsPerTile;
                int row = rest / chunks;
                int ox0 = rest % chunks * ROW_CHUNK;
                row(tile, row / oh, row % oh, ox0, Math.min(ow, ox0 + ROW_CHUNK));
            }
        });
    }

    // output row oy of image n, pixels [ox0, ox1), the output blocks of one weight tile
    private void row(int tile, int n, int oy, int ox0, int ox1) {
        int iy0 = oy * sh - padT;
        int kyLo = Math.min(kh, Math.max(0, ceilDiv(-iy0, dh)));
        int kyHi = Math.max(kyLo, Math.min(kh, ceilDiv(h - iy0, dh)));
        int nb = w.tileBlocks[tile];
        int b0 = w.tileBlock0[tile];
        int icbs = w.tileIcbs[tile];
        int xImg = (n * cb + w.tileIcb0[tile]) * plane;
        int wBase = w.tileOff[tile];
        int yRow = ((n * ocb + b0) * oh + oy) * ow;
        int tileEnd = Math.min(ox1, inHi);
        int ox = ox0;
        while (ox < ox1) {
            int ix0 = ox * sw - padL;
            int yo = (yRow + ox) * L;
            if (ox >= inLo && ox + PX <= tileEnd) {
                if (nb == 4) {
                    tile4x3(xImg, iy0, kyLo, kyHi, ix0, 0, kw, wBase, icbs, nb, 0, yo, b0 * L);
                } else {
                    for (int b = 0; b < nb; b++) {
                        tile1x3(xImg, iy0, kyLo, kyHi, ix0, 0, kw, wBase, icbs, nb, b, yo + b * oplane, (b0 + b) * L);
                    }
                }
                ox += PX;
            } else {
                int kxLo = Math.min(kw, Math.max(0, ceilDiv(-ix0, dw)));
                int kxHi = Math.max(kxLo, Math.min(kw, ceilDiv(wIn - ix0, dw)));
                if (nb == 4) {
                    tile4x1(xImg, iy0, kyLo, kyHi, ix0, kxLo, kxHi, wBase, icbs, nb, 0, yo, b0 * L);
                } else {
                    for (int b = 0; b < nb; b++) {
                        tile1x1(xImg, iy0, kyLo, kyHi, ix0, kxLo, kxHi, wBase, icbs, nb, b, yo + b * oplane, (b0 + b) * L);
                    }
                }
                ox++;
            }
        }
    }

    // acc -> y at yo = relu?(acc + bias[bo..] + r[yo..]), the GEMM epilogue's order
    private void store(FloatVector acc, int yo, int bo) {
        if (bias != null) {
            acc = acc.add(FloatVector.fromArray(S, bias, bo));
        }
        if (r != null) {
            acc = acc.add(FloatVector.fromArray(S, r, yo));
        }
        if (relu) {
            acc = acc.max(0f);
        }
        acc.intoArray(y, yo);
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    // The register tiles below are one loop nest, unrolled by hand for 4 or 1 blocks and 3 or 1 pixels
    // (C2 keeps vectors in registers only as named locals).

    // x rows of one tile's input blocks, weights at wBase -> y: 4 block(s) x 3 pixel(s) from yo, blocks from b0 of nb
    private void tile4x3(int xImg, int iy0, int kyLo, int kyHi, int ix0, int kxLo, int kxHi, int wBase, int icbs, int nb, int b0, int yo, int bo) {
        float[] x = this.x;
        float[] wd = this.wd;
        int kw = this.kw;
        int dh = this.dh;
        int dw = this.dw;
        int ps = this.sw * L;
        int rowStride = this.rowStride;
        int plane = this.plane;
        int step = nb * L;
        int kxStep = L * step;
        int kyStep = kw * kxStep;
        int icbStep = this.kh * kyStep;
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = FloatVector.zero(S);
        FloatVector a02 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a11 = FloatVector.zero(S);
        FloatVector a12 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S);
        FloatVector a21 = FloatVector.zero(S);
        FloatVector a22 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S);
        FloatVector a31 = FloatVector.zero(S);
        FloatVector a32 = FloatVector.zero(S);
        for (int ib = 0; ib < icbs; ib++) {
            int xb = xImg + ib * plane;
            int wb = wBase + ib * icbStep + b0 * L;
            for (int ky = kyLo; ky < kyHi; ky++) {
                int xr = xb + (iy0 + ky * dh) * rowStride;
                int wr = wb + ky * kyStep;
                for (int kx = kxLo; kx < kxHi; kx++) {
                    int xp = xr + (ix0 + kx * dw) * L;
                    int wi = wr + kx * kxStep;
                    for (int il = 0; il < L; il++, wi += step) {
                        FloatVector x0 = FloatVector.broadcast(S, x[xp + il]);
                        FloatVector x1 = FloatVector.broadcast(S, x[xp + ps + il]);
                        FloatVector x2 = FloatVector.broadcast(S, x[xp + 2 * ps + il]);
                        FloatVector w0 = FloatVector.fromArray(S, wd, wi);
                        a00 = w0.fma(x0, a00);
                        a01 = w0.fma(x1, a01);
                        a02 = w0.fma(x2, a02);
                        FloatVector w1 = FloatVector.fromArray(S, wd, wi + L);
                        a10 = w1.fma(x0, a10);
                        a11 = w1.fma(x1, a11);
                        a12 = w1.fma(x2, a12);
                        FloatVector w2 = FloatVector.fromArray(S, wd, wi + 2 * L);
                        a20 = w2.fma(x0, a20);
                        a21 = w2.fma(x1, a21);
                        a22 = w2.fma(x2, a22);
                        FloatVector w3 = FloatVector.fromArray(S, wd, wi + 3 * L);
                        a30 = w3.fma(x0, a30);
                        a31 = w3.fma(x1, a31);
                        a32 = w3.fma(x2, a32);
                    }
                }
            }
        }
        store(a00, yo, bo);
        store(a01, yo + L, bo);
        store(a02, yo + 2 * L, bo);
        store(a10, yo + oplane, bo + L);
        store(a11, yo + oplane + L, bo + L);
        store(a12, yo + oplane + 2 * L, bo + L);
        store(a20, yo + 2 * oplane, bo + 2 * L);
        store(a21, yo + 2 * oplane + L, bo + 2 * L);
        store(a22, yo + 2 * oplane + 2 * L, bo + 2 * L);
        store(a30, yo + 3 * oplane, bo + 3 * L);
        store(a31, yo + 3 * oplane + L, bo + 3 * L);
        store(a32, yo + 3 * oplane + 2 * L, bo + 3 * L);
    }

    // x rows of one tile's input blocks, weights at wBase -> y: 4 block(s) x 1 pixel(s) from yo, blocks from b0 of nb
    private void tile4x1(int xImg, int iy0, int kyLo, int kyHi, int ix0, int kxLo, int kxHi, int wBase, int icbs, int nb, int b0, int yo, int bo) {
        float[] x = this.x;
        float[] wd = this.wd;
        int kw = this.kw;
        int dh = this.dh;
        int dw = this.dw;
        int ps = this.sw * L;
        int rowStride = this.rowStride;
        int plane = this.plane;
        int step = nb * L;
        int kxStep = L * step;
        int kyStep = kw * kxStep;
        int icbStep = this.kh * kyStep;
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S);
        for (int ib = 0; ib < icbs; ib++) {
            int xb = xImg + ib * plane;
            int wb = wBase + ib * icbStep + b0 * L;
            for (int ky = kyLo; ky < kyHi; ky++) {
                int xr = xb + (iy0 + ky * dh) * rowStride;
                int wr = wb + ky * kyStep;
                for (int kx = kxLo; kx < kxHi; kx++) {
                    int xp = xr + (ix0 + kx * dw) * L;
                    int wi = wr + kx * kxStep;
                    for (int il = 0; il < L; il++, wi += step) {
                        FloatVector x0 = FloatVector.broadcast(S, x[xp + il]);
                        FloatVector w0 = FloatVector.fromArray(S, wd, wi);
                        a00 = w0.fma(x0, a00);
                        FloatVector w1 = FloatVector.fromArray(S, wd, wi + L);
                        a10 = w1.fma(x0, a10);
                        FloatVector w2 = FloatVector.fromArray(S, wd, wi + 2 * L);
                        a20 = w2.fma(x0, a20);
                        FloatVector w3 = FloatVector.fromArray(S, wd, wi + 3 * L);
                        a30 = w3.fma(x0, a30);
                    }
                }
            }
        }
        store(a00, yo, bo);
        store(a10, yo + oplane, bo + L);
        store(a20, yo + 2 * oplane, bo + 2 * L);
        store(a30, yo + 3 * oplane, bo + 3 * L);
    }

    // x rows of one tile's input blocks, weights at wBase -> y: 1 block(s) x 3 pixel(s) from yo, blocks from b0 of nb
    private void tile1x3(int xImg, int iy0, int kyLo, int kyHi, int ix0, int kxLo, int kxHi, int wBase, int icbs, int nb, int b0, int yo, int bo) {
        float[] x = this.x;
        float[] wd = this.wd;
        int kw = this.kw;
        int dh = this.dh;
        int dw = this.dw;
        int ps = this.sw * L;
        int rowStride = this.rowStride;
        int plane = this.plane;
        int step = nb * L;
        int kxStep = L * step;
        int kyStep = kw * kxStep;
        int icbStep = this.kh * kyStep;
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = FloatVector.zero(S);
        FloatVector a02 = FloatVector.zero(S);
        for (int ib = 0; ib < icbs; ib++) {
            int xb = xImg + ib * plane;
            int wb = wBase + ib * icbStep + b0 * L;
            for (int ky = kyLo; ky < kyHi; ky++) {
                int xr = xb + (iy0 + ky * dh) * rowStride;
                int wr = wb + ky * kyStep;
                for (int kx = kxLo; kx < kxHi; kx++) {
                    int xp = xr + (ix0 + kx * dw) * L;
                    int wi = wr + kx * kxStep;
                    for (int il = 0; il < L; il++, wi += step) {
                        FloatVector x0 = FloatVector.broadcast(S, x[xp + il]);
                        FloatVector x1 = FloatVector.broadcast(S, x[xp + ps + il]);
                        FloatVector x2 = FloatVector.broadcast(S, x[xp + 2 * ps + il]);
                        FloatVector w0 = FloatVector.fromArray(S, wd, wi);
                        a00 = w0.fma(x0, a00);
                        a01 = w0.fma(x1, a01);
                        a02 = w0.fma(x2, a02);
                    }
                }
            }
        }
        store(a00, yo, bo);
        store(a01, yo + L, bo);
        store(a02, yo + 2 * L, bo);
    }

    // x rows of one tile's input blocks, weights at wBase -> y: 1 block(s) x 1 pixel(s) from yo, blocks from b0 of nb
    private void tile1x1(int xImg, int iy0, int kyLo, int kyHi, int ix0, int kxLo, int kxHi, int wBase, int icbs, int nb, int b0, int yo, int bo) {
        float[] x = this.x;
        float[] wd = this.wd;
        int kw = this.kw;
        int dh = this.dh;
        int dw = this.dw;
        int ps = this.sw * L;
        int rowStride = this.rowStride;
        int plane = this.plane;
        int step = nb * L;
        int kxStep = L * step;
        int kyStep = kw * kxStep;
        int icbStep = this.kh * kyStep;
        FloatVector a00 = FloatVector.zero(S);
        for (int ib = 0; ib < icbs; ib++) {
            int xb = xImg + ib * plane;
            int wb = wBase + ib * icbStep + b0 * L;
            for (int ky = kyLo; ky < kyHi; ky++) {
                int xr = xb + (iy0 + ky * dh) * rowStride;
                int wr = wb + ky * kyStep;
                for (int kx = kxLo; kx < kxHi; kx++) {
                    int xp = xr + (ix0 + kx * dw) * L;
                    int wi = wr + kx * kxStep;
                    for (int il = 0; il < L; il++, wi += step) {
                        FloatVector x0 = FloatVector.broadcast(S, x[xp + il]);
                        FloatVector w0 = FloatVector.fromArray(S, wd, wi);
                        a00 = w0.fma(x0, a00);
                    }
                }
            }
        }
        store(a00, yo, bo);
    }
}
