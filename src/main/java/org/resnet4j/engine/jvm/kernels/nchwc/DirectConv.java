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
 * <p>Register tile: a weight tile's 4, 3, 2 or 1 output channel blocks x 2, 3, 4 or 6 output pixels
 * ({@link #pixelsPerTile}: 8 to 10 vector accumulators, what C2 keeps in registers). For every input
 * channel of every tap it loads the tile's weight vectors once and broadcasts each pixel's input value
 * once: 8 FMAs for 6 loads in the 4x2 tile. The pixels are consecutive in the output's (OH·OW) order
 * and may lie on different rows, so a 7x7 output runs 24 4x2 tiles and one single pixel, and a 1x1 stride-1
 * convolution is a GEMM over channel blocks straight on the input. Input blocks are taken in chunks
 * whose weights stay in L1 while the chunk runs over a work item's pixels; partial sums wait in y.
 *
 * <p>Padding: a convolution with pads reads a zero-bordered copy of its input (made here, the size of
 * the input plus the border), so that an interior tile's pixels read every tap with no bounds test;
 * a tile at the border runs only the taps that some pixel of it reads inside the input (a 3x3 on a
 * 1x1 output runs one tap of nine), the others would only multiply the zero border.
 *
 * <p>A plain (N,C,H,W) input with C below L (an RGB stem) is read as it is, one input channel per
 * step ({@link #convPlainInput}), rather than converted to blocks of which C lanes of L are real.
 *
 * <p>Each output element sums input blocks, ky, kx and input lanes in ascending order whichever tile
 * computes it, and work items are fixed ranges of pixels, so results do not depend on the thread count.
 */
public final class DirectConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Output pixels (in OH·OW order) per work item: a multiple of every tile's pixel count. */
    static final int PIXEL_CHUNK = 96;
    /**
     * Multiply-adds below which a task is not handed to another thread. The hand-off costs 2.6 µs
     * median, 5.6 µs p90 (GemmProbe, on the loaded 2-core box); 2^20 multiply-adds take ~35 µs at
     * 60 GFLOP/s (three quarters of one 2.45 GHz AVX2 core's 78 GFLOP/s peak; the kernel's own rate
     * could not be measured on a quiet machine), so a task pays at most ~16 % at p90, and a
     * convolution runs on one thread below twice that size.
     */
    static final long MIN_TASK_MACS = 1L << 20;
    /** Bytes of weights one input-block chunk may use: most of a 32 KiB L1, the rest for inputs and sums. */
    static final long L1_WEIGHTS = 24 * 1024;

    private final float[] x;
    private final float[] y;
    private final float[] r;
    private final float[] wd;
    private final float[] bias;
    private final boolean relu;
    private final BlockedWeights w;
    private final int cb;
    private final int ocb;
    private final int ow;
    private final int kk;
    private final int sh;
    private final int sw;
    /** The (maybe padded) input's plane and row strides in floats. */
    private final int plane;

    private final int rowStride;
    private final int ohw;
    private final int oplane;
    private final int chunks;
    /** Per output pixel (OH·OW order), its window corner's offset in an input plane: no division per tile. */
    private final int[] bases;
    /** Input channels per input block: L, or 1 for a plain input ({@link BlockedWeights#packPlainInput}). */
    private final int lanesIn;
    /** Per weight tile: the input offset of each tap from a pixel's base, and its weight offset. */
    private final int[][] tapX;

    private final int[][] tapW;
    /**
     * Per 4-block weight tile: the input offset of each (tap, input lane) step from a pixel's base; the
     * step's weights are at the tile's offset + step·4L ({@link #tile4x2}).
     */
    private final int[][] stepX;

    /**
     * Per output pixel, the taps whose input lies inside the unpadded input, as ky in [kyLo, kyHi] and
     * kx in [kxLo, kxHi]; null when every tap of every pixel does (no border) or the input is plain.
     */
    private final int[] kyLo;

    private final int[] kyHi;
    private final int[] kxLo;
    private final int[] kxHi;
    private final int kh;
    private final int kw;

    private DirectConv(
            ConvGeometry g, float[] x, int hp, int wp, BlockedWeights w, float[] r, boolean relu, float[] y) {
        this.x = x;
        this.y = y;
        this.r = r;
        this.w = w;
        this.wd = w.data;
        this.bias = w.bias;
        this.relu = relu;
        lanesIn = w.lanesIn;
        cb = lanesIn == L ? Nchwc.blocks(g.c()) : g.c();
        ocb = Nchwc.blocks(g.oc());
        ow = g.ow();
        kk = g.kh() * g.kw();
        kh = g.kh();
        kw = g.kw();
        sh = g.strideH();
        sw = g.strideW();
        plane = hp * wp * lanesIn;
        rowStride = wp * lanesIn;
        ohw = g.oh() * g.ow();
        oplane = ohw * L;
        chunks = (ohw + PIXEL_CHUNK - 1) / PIXEL_CHUNK;
        bases = new int[ohw];
        for (int j = 0; j < ohw; j++) {
            bases[j] = j / ow * sh * rowStride + j % ow * sw * lanesIn;
        }
        if (lanesIn == L && needsBorder(g)) {
            kyLo = new int[ohw];
            kyHi = new int[ohw];
            kxLo = new int[ohw];
            kxHi = new int[ohw];
            for (int j = 0; j < ohw; j++) {
                int iy0 = j / ow * sh - g.padT();
                int ix0 = j % ow * sw - g.padL();
                kyLo[j] = Math.max(0, ceilDiv(-iy0, g.dilH()));
                kyHi[j] = Math.min(kh - 1, Math.floorDiv(g.h() - 1 - iy0, g.dilH()));
                kxLo[j] = Math.max(0, ceilDiv(-ix0, g.dilW()));
                kxHi[j] = Math.min(kw - 1, Math.floorDiv(g.w() - 1 - ix0, g.dilW()));
            }
        } else {
            kyLo = kyHi = kxLo = kxHi = null;
        }
        tapX = new int[w.tiles()][];
        tapW = new int[w.tiles()][];
        stepX = new int[w.tiles()][];
        for (int t = 0; t < w.tiles(); t++) {
            int icbs = w.tileIcbs[t];
            int nb = w.tileBlocks[t];
            tapX[t] = new int[icbs * kk];
            tapW[t] = new int[icbs * kk];
            // only the 4-block tiles read step tables; the narrower ones loop over taps and lanes
            boolean steps = nb == 4;
            stepX[t] = steps ? new int[icbs * kk * lanesIn] : null;
            int i = 0;
            for (int ib = 0; ib < icbs; ib++) {
                for (int ky = 0; ky < g.kh(); ky++) {
                    for (int kx = 0; kx < g.kw(); kx++, i++) {
                        tapX[t][i] = ib * plane + ky * g.dilH() * rowStride + kx * g.dilW() * lanesIn;
                        tapW[t][i] = w.tileOff[t] + i * lanesIn * nb * L;
                        for (int il = 0; steps && il < lanesIn; il++) {
                            stepX[t][i * lanesIn + il] = tapX[t][i] + il;
                        }
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /** True when some window of {@code g} reaches outside the input (pads, or ceil_mode's trailing windows). */
    static boolean needsBorder(ConvGeometry g) {
        return g.padT() > 0
                || g.padL() > 0
                || (g.oh() - 1) * g.strideH() + (g.kh() - 1) * g.dilH() >= g.h()
                || (g.ow() - 1) * g.strideW() + (g.kw() - 1) * g.dilW() >= g.w();
    }

    private static int paddedH(ConvGeometry g) {
        return Math.max(g.padT() + g.h(), (g.oh() - 1) * g.strideH() + (g.kh() - 1) * g.dilH() + 1);
    }

    private static int paddedW(ConvGeometry g) {
        return Math.max(g.padL() + g.w(), (g.ow() - 1) * g.strideW() + (g.kw() - 1) * g.dilW() + 1);
    }

    /** Floats of scratch {@link #conv} needs: the zero-bordered input, or 0. */
    public static int scratchSize(ConvGeometry g) {
        return needsBorder(g) ? g.n() * Nchwc.blocks(g.c()) * paddedH(g) * paddedW(g) * L : 0;
    }

    /** The same for {@link #convPlainInput}. */
    public static int plainInputScratchSize(ConvGeometry g) {
        return needsBorder(g) ? g.n() * g.c() * paddedH(g) * paddedW(g) : 0;
    }

    /**
     * True when {@link #convPlainInput} takes {@code g}: group 1, fewer input channels than a block, and
     * whole 4-block weight tiles (a ResNet stem: 3 -> 64).
     */
    public static boolean takesPlainInput(int c, int oc, int group) {
        return group == 1 && c < L && oc % (BlockedWeights.MAX_TILE * L) == 0;
    }

    // x (N,C,H,W) plain, w from BlockedWeights.packPlainInput -> y (N,OCB,OH,OW,L) = relu?(conv + b);
    // scratch: plainInputScratchSize(g) floats (null when 0)
    public static void convPlainInput(
            ConvGeometry g, float[] x, BlockedWeights w, boolean relu, float[] y, float[] scratch, Parallel par) {
        if (!takesPlainInput(g.c(), g.oc(), g.group()) || w.lanesIn != 1) {
            throw new IllegalArgumentException("not a plain-input convolution: " + g);
        }
        float[] src = x;
        int hp = g.h();
        int wp = g.w();
        if (needsBorder(g)) {
            hp = paddedH(g);
            wp = paddedW(g);
            border(g, x, g.c(), 1, hp, wp, scratch, par);
            src = scratch;
        }
        new DirectConv(g, src, hp, wp, w, null, relu, y).run(g, par);
    }

    // x (N,CB,H,W,L), w packed for (OC, C/g, kH, kW), r (N,OCB,OH,OW,L) or null -> y (N,OCB,OH,OW,L);
    // scratch: scratchSize(g) floats (null when 0)
    public static void conv(
            ConvGeometry g,
            float[] x,
            BlockedWeights w,
            float[] r,
            boolean relu,
            float[] y,
            float[] scratch,
            Parallel par) {
        assert w.oc == g.oc() && w.c == g.c() && w.kh == g.kh() && w.kw == g.kw() && w.lanesIn == L
                : "weights packed for another shape";
        float[] src = x;
        int hp = g.h();
        int wp = g.w();
        if (needsBorder(g)) {
            hp = paddedH(g);
            wp = paddedW(g);
            border(g, x, Nchwc.blocks(g.c()), L, hp, wp, scratch, par);
            src = scratch;
        }
        new DirectConv(g, src, hp, wp, w, r, relu, y).run(g, par);
    }

    // x (N,planes,H,W,lanes) -> p (N,planes,HP,WP,lanes): x at (padT, padL), zeros around it
    private static void border(
            ConvGeometry g, float[] x, int planesPerImage, int lanes, int hp, int wp, float[] p, Parallel par) {
        int planes = g.n() * planesPerImage;
        int hwl = g.h() * g.w() * lanes;
        int rowL = g.w() * lanes;
        int size = hp * wp * lanes;
        par.forRange(planes, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, size)), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int dst = pl * size;
                java.util.Arrays.fill(p, dst, dst + size, 0f);
                for (int iy = 0; iy < g.h(); iy++) {
                    System.arraycopy(x, pl * hwl + iy * rowL, p, dst + ((iy + g.padT()) * wp + g.padL()) * lanes, rowL);
                }
            }
        });
    }

    private void run(ConvGeometry g, Parallel par) {
        int perTile = g.n() * chunks;
        int items = w.tiles() * perTile;
        long macs = 0;
        for (int t = 0; t < w.tiles(); t++) {
            macs += (long) w.tileBlocks[t] * w.tileIcbs[t];
        }
        macs *= (long) lanesIn * L * kk * g.n() * ohw;
        long perItem = Math.max(1, macs / Math.max(1, items));
        int grain = (int) Math.min(items, Math.max(1, MIN_TASK_MACS / perItem));
        if (macs < 2 * MIN_TASK_MACS) {
            grain = Math.max(1, items);
        }
        // Order of the items: tile-major re-reads all the input once per weight tile, pixel-major re-reads
        // all the weights once per pixel chunk. Whichever streams fewer bytes: at batch 8 the input of
        // ResNet-50's first stages no longer fits in cache and tile-major ran 2.8x ORT's time, against
        // 1.0x at batch 1 (docs/PERFORMANCE.md); deep layers with big weights and few pixels stay tile-major.
        long inputBytes = (long) g.n() * cb * plane * Float.BYTES;
        long weightBytes = (long) wd.length * Float.BYTES;
        boolean pixelMajor = (long) w.tiles() * inputBytes > (long) perTile * weightBytes;
        int tiles = w.tiles();
        par.forRange(items, grain, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int tile = pixelMajor ? i % tiles : i / perTile;
                int rest = pixelMajor ? i / tiles : i % perTile;
                int j0 = rest % chunks * PIXEL_CHUNK;
                pixels(tile, rest / chunks, j0, Math.min(ohw, j0 + PIXEL_CHUNK));
            }
        });
    }

    // output pixels [j0, j1) (OH·OW order) of image n, the output blocks of one weight tile
    private void pixels(int tile, int n, int j0, int j1) {
        int nb = w.tileBlocks[tile];
        int b0 = w.tileBlock0[tile];
        int icbs = w.tileIcbs[tile];
        int xImg = (n * cb + w.tileIcb0[tile]) * plane;
        int yImg = (n * ocb + b0) * oplane;
        int[] xt = tapX[tile];
        int[] wt = tapW[tile];
        int chunk = (int) Math.max(1, L1_WEIGHTS / ((long) kk * lanesIn * nb * L * Float.BYTES));
        int step = nb * L;
        int px = pixelsPerTile(nb);
        int[] subX = null;
        int[] subW = null;
        for (int ib0 = 0; ib0 < icbs; ib0 += chunk) {
            int ib1 = Math.min(icbs, ib0 + chunk);
            boolean first = ib0 == 0;
            boolean last = ib1 == icbs;
            int t0 = ib0 * kk;
            int t1 = ib1 * kk;
            int bo = b0 * L;
            for (int j = j0; j < j1; ) {
                int p = j + px <= j1 ? px : 1;
                int yo = yImg + j * L;
                int xb0 = xImg + base(j);
                // at the border, only the taps some pixel of the tile reads inside the input: a 3x3 on a
                // 1x1 or 2x2 output (CIFAR-size and digits inputs) otherwise multiplies 8/9 or 5/9 zeros
                int yl = 0, yh = kh - 1, xl = 0, xh = kw - 1;
                if (kyLo != null) {
                    yl = kyLo[j];
                    yh = kyHi[j];
                    xl = kxLo[j];
                    xh = kxHi[j];
                    for (int q = j + 1; q < j + p; q++) {
                        yl = Math.min(yl, kyLo[q]);
                        yh = Math.max(yh, kyHi[q]);
                        xl = Math.min(xl, kxLo[q]);
                        xh = Math.max(xh, kxHi[q]);
                    }
                }
                if (yl > yh || xl > xh) {
                    // no tap of these pixels reads the input: the sums stay as they are
                    if (first) {
                        zero(yo, nb, p);
                    }
                } else if (nb == 4) {
                    fourBlocks(tile, j, p, xb0, yo, ib0, ib1, yl, yh, xl, xh, first);
                } else {
                    int a0 = t0;
                    int a1 = t1;
                    int[] xs = xt;
                    int[] ws = wt;
                    if (yl > 0 || xl > 0 || yh < kh - 1 || xh < kw - 1) {
                        if (subX == null) {
                            subX = new int[chunk * kk];
                            subW = new int[chunk * kk];
                        }
                        a0 = 0;
                        a1 = 0;
                        for (int ib = ib0; ib < ib1; ib++) {
                            for (int ky = yl; ky <= yh; ky++) {
                                for (int kx = xl; kx <= xh; kx++, a1++) {
                                    subX[a1] = xt[ib * kk + ky * kw + kx];
                                    subW[a1] = wt[ib * kk + ky * kw + kx];
                                }
                            }
                        }
                        xs = subX;
                        ws = subW;
                    }
                    narrow(nb, j, p, xb0, xs, ws, a0, a1, step, yo, first);
                }
                if (last) {
                    finish(yo, bo, nb, p);
                }
                j += p;
            }
        }
    }

    /**
     * The 4-block tiles over taps ky in [yl, yh], kx in [xl, xh] of input blocks [ib0, ib1): runs of
     * the tile's full (tap, lane) step list, whose weights are consecutive ({@link #tile4x2}). Inside the
     * input that is one run; at the border one per (block, ky) row of taps, merged where contiguous, the
     * sums kept in y between runs.
     */
    private void fourBlocks(
            int tile, int j, int p, int xb0, int yo, int ib0, int ib1, int yl, int yh, int xl, int xh, boolean first) {
        int[] xs = stepX[tile];
        int wBase = w.tileOff[tile];
        int d1 = p == 2 ? base(j + 1) - base(j) : 0;
        if (yl == 0 && xl == 0 && yh == kh - 1 && xh == kw - 1) {
            // inside the input: the blocks' whole step range, one run
            run4(xb0, d1, p, xs, wBase, ib0 * kk * lanesIn, ib1 * kk * lanesIn, yo, first);
            return;
        }
        int r0 = -1;
        int r1 = -1;
        boolean f = first;
        for (int ib = ib0; ib < ib1; ib++) {
            for (int ky = yl; ky <= yh; ky++) {
                int s0 = (ib * kk + ky * kw + xl) * lanesIn;
                int s1 = (ib * kk + ky * kw + xh + 1) * lanesIn;
                if (s0 == r1) {
                    r1 = s1;
                    continue;
                }
                if (r0 >= 0) {
                    run4(xb0, d1, p, xs, wBase, r0, r1, yo, f);
                    f = false;
                }
                r0 = s0;
                r1 = s1;
            }
        }
        run4(xb0, d1, p, xs, wBase, r0, r1, yo, f);
    }

    private void run4(int xb0, int d1, int p, int[] xs, int wBase, int s0, int s1, int yo, boolean first) {
        if (p == 2) {
            tile4x2(xb0, d1, xs, wBase, s0, s1, yo, first);
        } else {
            tile4x1(xb0, xs, wBase, s0, s1, yo, first);
        }
    }

    // the narrower tiles (1 to 3 output blocks) over taps [a0, a1) of xs/ws
    private void narrow(
            int nb, int j, int p, int xb0, int[] xs, int[] ws, int a0, int a1, int step, int yo, boolean first) {
        if (p == pixelsPerTile(nb)) {
            int d1 = base(j + 1) - base(j);
            switch (nb) {
                case 3 -> tile3x3(xb0, d1, base(j + 2) - base(j), xs, ws, a0, a1, step, yo, first);
                case 2 ->
                    tile2x4(xb0, d1, base(j + 2) - base(j), base(j + 3) - base(j), xs, ws, a0, a1, step, yo, first);
                default ->
                    tile1x6(
                            xb0,
                            d1,
                            base(j + 2) - base(j),
                            base(j + 3) - base(j),
                            base(j + 4) - base(j),
                            base(j + 5) - base(j),
                            xs,
                            ws,
                            a0,
                            a1,
                            step,
                            yo,
                            first);
            }
        } else {
            for (int b = 0; b < nb; b++) {
                tile1x1(xb0, xs, ws, a0, a1, b * L, step, yo + b * oplane, first);
            }
        }
    }

    // zeros the sums of nb blocks x p pixels from yo
    private void zero(int yo, int nb, int p) {
        FloatVector z = FloatVector.zero(S);
        for (int b = 0; b < nb; b++) {
            for (int q = 0; q < p; q++) {
                z.intoArray(y, yo + b * oplane + q * L);
            }
        }
    }

    // the epilogue on the sums of nb blocks x p pixels from yo: y = relu?(y + bias[bo..] + r[..]), the
    // GEMM epilogue's order. A pass of its own after the tile stored its sums: called from the register
    // tiles, the epilogue was not always inlined (too large for a cold call site) and its vectors were
    // boxed, 8 allocations per tile
    private void finish(int yo, int bo, int nb, int p) {
        for (int b = 0; b < nb; b++) {
            for (int q = 0; q < p; q++) {
                int o = yo + b * oplane + q * L;
                FloatVector acc = FloatVector.fromArray(S, y, o);
                if (bias != null) {
                    acc = acc.add(FloatVector.fromArray(S, bias, bo + b * L));
                }
                if (r != null) {
                    acc = acc.add(FloatVector.fromArray(S, r, o));
                }
                if (relu) {
                    acc = acc.max(0f);
                }
                acc.intoArray(y, o);
            }
        }
    }

    /**
     * Output pixels per register tile for a tile of {@code nb} output blocks: at most 10 vector
     * accumulators. C2 keeps 8-10 accumulators in registers and runs them at ~90 GFLOP/s on one Zen 3
     * core (L1-resident data), but spills a 12-accumulator tile (4x3, 2x6, 3x4) and runs it at ~37:
     * measured with generated B x P tiles, docs/PERFORMANCE.md.
     */
    static int pixelsPerTile(int nb) {
        return switch (nb) {
            case 4 -> 2;
            case 3 -> 3;
            case 2 -> 4;
            default -> 6;
        };
    }

    /** Offset of output pixel j's window corner in its (maybe padded) input plane. */
    private int base(int j) {
        return bases[j];
    }

    // The register tiles below are one loop, unrolled by hand for each tile shape (C2 keeps vectors in
    // registers only as named locals, and only through simple loops: a four-deep nest over blocks, ky,
    // kx and lanes ran 15x slower, its accumulators boxed; so did a lane loop with a bound that is not
    // the constant L, 8x slower). Weights: the tile's blocks are consecutive vectors per input lane.

    // 4 output blocks x 2 pixels over steps [s0, s1) of a weight tile's full (tap, input lane) step list:
    // step s reads the input at xb0 + xs[s] (+ d1 for pixel 1) and the tile's 4 weight vectors at
    // wBase + s·4L (consecutive) -> y from yo (block b at + b·oplane). The weights' index comes from the
    // loop counter, which C2 checks once before the loop: a table of weight offsets, loaded and checked
    // per step, made C2's loop 36 instructions per 8 FMAs instead of 29, and resnet18/50 9-12 % slower
    // (objdump of C2's code; docs/PERFORMANCE.md, third pass).
    private void tile4x2(int xb0, int d1, int[] xs, int wBase, int s0, int s1, int yo, boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + L);
        FloatVector a10 = first ? z : FloatVector.fromArray(S, y, yo + oplane);
        FloatVector a11 = first ? z : FloatVector.fromArray(S, y, yo + oplane + L);
        FloatVector a20 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane);
        FloatVector a21 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane + L);
        FloatVector a30 = first ? z : FloatVector.fromArray(S, y, yo + 3 * oplane);
        FloatVector a31 = first ? z : FloatVector.fromArray(S, y, yo + 3 * oplane + L);
        for (int s = s0; s < s1; s++) {
            int xp = xb0 + xs[s];
            int wi = wBase + s * (4 * L);
            FloatVector w0 = FloatVector.fromArray(S, wd, wi);
            FloatVector w1 = FloatVector.fromArray(S, wd, wi + L);
            FloatVector w2 = FloatVector.fromArray(S, wd, wi + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, wd, wi + 3 * L);
            FloatVector x0 = FloatVector.broadcast(S, x[xp]);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
            FloatVector x1 = FloatVector.broadcast(S, x[xp + d1]);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            a21 = w2.fma(x1, a21);
            a31 = w3.fma(x1, a31);
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + L);
        a10.intoArray(y, yo + oplane);
        a11.intoArray(y, yo + oplane + L);
        a20.intoArray(y, yo + 2 * oplane);
        a21.intoArray(y, yo + 2 * oplane + L);
        a30.intoArray(y, yo + 3 * oplane);
        a31.intoArray(y, yo + 3 * oplane + L);
    }

    // 3 output block(s) x 3 pixel(s): taps [t0, t1) of the tile (input offset from a pixel's base, weight offset);
    // pixel p's window corner at xb0 + dp -> y from yo (block b at + b·oplane, pixel p at + p·L)
    private void tile3x3(int xb0, int d1, int d2, int[] xt, int[] wt, int t0, int t1, int step, int yo, boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + L);
        FloatVector a02 = first ? z : FloatVector.fromArray(S, y, yo + 2 * L);
        FloatVector a10 = first ? z : FloatVector.fromArray(S, y, yo + oplane);
        FloatVector a11 = first ? z : FloatVector.fromArray(S, y, yo + oplane + L);
        FloatVector a12 = first ? z : FloatVector.fromArray(S, y, yo + oplane + 2 * L);
        FloatVector a20 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane);
        FloatVector a21 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane + L);
        FloatVector a22 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane + 2 * L);
        for (int t = t0; t < t1; t++) {
            int xp0 = xb0 + xt[t];
            int wi = wt[t];
            for (int il = 0; il < L; il++, wi += step) {
                FloatVector w0 = FloatVector.fromArray(S, wd, wi);
                FloatVector w1 = FloatVector.fromArray(S, wd, wi + L);
                FloatVector w2 = FloatVector.fromArray(S, wd, wi + 2 * L);
                FloatVector x0 = FloatVector.broadcast(S, x[xp0 + il]);
                a00 = w0.fma(x0, a00);
                a10 = w1.fma(x0, a10);
                a20 = w2.fma(x0, a20);
                FloatVector x1 = FloatVector.broadcast(S, x[xp0 + d1 + il]);
                a01 = w0.fma(x1, a01);
                a11 = w1.fma(x1, a11);
                a21 = w2.fma(x1, a21);
                FloatVector x2 = FloatVector.broadcast(S, x[xp0 + d2 + il]);
                a02 = w0.fma(x2, a02);
                a12 = w1.fma(x2, a12);
                a22 = w2.fma(x2, a22);
            }
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + L);
        a02.intoArray(y, yo + 2 * L);
        a10.intoArray(y, yo + oplane);
        a11.intoArray(y, yo + oplane + L);
        a12.intoArray(y, yo + oplane + 2 * L);
        a20.intoArray(y, yo + 2 * oplane);
        a21.intoArray(y, yo + 2 * oplane + L);
        a22.intoArray(y, yo + 2 * oplane + 2 * L);
    }

    // 2 output block(s) x 4 pixel(s): taps [t0, t1) of the tile (input offset from a pixel's base, weight offset);
    // pixel p's window corner at xb0 + dp -> y from yo (block b at + b·oplane, pixel p at + p·L)
    private void tile2x4(
            int xb0, int d1, int d2, int d3, int[] xt, int[] wt, int t0, int t1, int step, int yo, boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + L);
        FloatVector a02 = first ? z : FloatVector.fromArray(S, y, yo + 2 * L);
        FloatVector a03 = first ? z : FloatVector.fromArray(S, y, yo + 3 * L);
        FloatVector a10 = first ? z : FloatVector.fromArray(S, y, yo + oplane);
        FloatVector a11 = first ? z : FloatVector.fromArray(S, y, yo + oplane + L);
        FloatVector a12 = first ? z : FloatVector.fromArray(S, y, yo + oplane + 2 * L);
        FloatVector a13 = first ? z : FloatVector.fromArray(S, y, yo + oplane + 3 * L);
        for (int t = t0; t < t1; t++) {
            int xp0 = xb0 + xt[t];
            int wi = wt[t];
            for (int il = 0; il < L; il++, wi += step) {
                FloatVector w0 = FloatVector.fromArray(S, wd, wi);
                FloatVector w1 = FloatVector.fromArray(S, wd, wi + L);
                FloatVector x0 = FloatVector.broadcast(S, x[xp0 + il]);
                a00 = w0.fma(x0, a00);
                a10 = w1.fma(x0, a10);
                FloatVector x1 = FloatVector.broadcast(S, x[xp0 + d1 + il]);
                a01 = w0.fma(x1, a01);
                a11 = w1.fma(x1, a11);
                FloatVector x2 = FloatVector.broadcast(S, x[xp0 + d2 + il]);
                a02 = w0.fma(x2, a02);
                a12 = w1.fma(x2, a12);
                FloatVector x3 = FloatVector.broadcast(S, x[xp0 + d3 + il]);
                a03 = w0.fma(x3, a03);
                a13 = w1.fma(x3, a13);
            }
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + L);
        a02.intoArray(y, yo + 2 * L);
        a03.intoArray(y, yo + 3 * L);
        a10.intoArray(y, yo + oplane);
        a11.intoArray(y, yo + oplane + L);
        a12.intoArray(y, yo + oplane + 2 * L);
        a13.intoArray(y, yo + oplane + 3 * L);
    }

    // 1 output block(s) x 6 pixel(s): taps [t0, t1) of the tile (input offset from a pixel's base, weight offset);
    // pixel p's window corner at xb0 + dp -> y from yo (block b at + b·oplane, pixel p at + p·L)
    private void tile1x6(
            int xb0,
            int d1,
            int d2,
            int d3,
            int d4,
            int d5,
            int[] xt,
            int[] wt,
            int t0,
            int t1,
            int step,
            int yo,
            boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + L);
        FloatVector a02 = first ? z : FloatVector.fromArray(S, y, yo + 2 * L);
        FloatVector a03 = first ? z : FloatVector.fromArray(S, y, yo + 3 * L);
        FloatVector a04 = first ? z : FloatVector.fromArray(S, y, yo + 4 * L);
        FloatVector a05 = first ? z : FloatVector.fromArray(S, y, yo + 5 * L);
        for (int t = t0; t < t1; t++) {
            int xp0 = xb0 + xt[t];
            int wi = wt[t];
            for (int il = 0; il < L; il++, wi += step) {
                FloatVector w0 = FloatVector.fromArray(S, wd, wi);
                FloatVector x0 = FloatVector.broadcast(S, x[xp0 + il]);
                a00 = w0.fma(x0, a00);
                FloatVector x1 = FloatVector.broadcast(S, x[xp0 + d1 + il]);
                a01 = w0.fma(x1, a01);
                FloatVector x2 = FloatVector.broadcast(S, x[xp0 + d2 + il]);
                a02 = w0.fma(x2, a02);
                FloatVector x3 = FloatVector.broadcast(S, x[xp0 + d3 + il]);
                a03 = w0.fma(x3, a03);
                FloatVector x4 = FloatVector.broadcast(S, x[xp0 + d4 + il]);
                a04 = w0.fma(x4, a04);
                FloatVector x5 = FloatVector.broadcast(S, x[xp0 + d5 + il]);
                a05 = w0.fma(x5, a05);
            }
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + L);
        a02.intoArray(y, yo + 2 * L);
        a03.intoArray(y, yo + 3 * L);
        a04.intoArray(y, yo + 4 * L);
        a05.intoArray(y, yo + 5 * L);
    }

    // 4 output blocks x 1 pixel over steps [s0, s1) of a weight tile's full step list: step s reads the
    // input at xb0 + xs[s] and the tile's 4 weight vectors at wBase + s·4L -> y from yo (block b at + b·oplane)
    private void tile4x1(int xb0, int[] xs, int wBase, int s0, int s1, int yo, boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a10 = first ? z : FloatVector.fromArray(S, y, yo + oplane);
        FloatVector a20 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane);
        FloatVector a30 = first ? z : FloatVector.fromArray(S, y, yo + 3 * oplane);
        for (int s = s0; s < s1; s++) {
            int xp = xb0 + xs[s];
            int wi = wBase + s * (4 * L);
            FloatVector w0 = FloatVector.fromArray(S, wd, wi);
            FloatVector w1 = FloatVector.fromArray(S, wd, wi + L);
            FloatVector w2 = FloatVector.fromArray(S, wd, wi + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, wd, wi + 3 * L);
            FloatVector x0 = FloatVector.broadcast(S, x[xp]);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
        }
        a00.intoArray(y, yo);
        a10.intoArray(y, yo + oplane);
        a20.intoArray(y, yo + 2 * oplane);
        a30.intoArray(y, yo + 3 * oplane);
    }

    // 1 output block(s) x 1 pixel(s): taps [t0, t1) of the tile (input offset from a pixel's base, weight offset);
    // the pixel's window corner at xb0 -> y from yo (block b at + b·oplane)
    private void tile1x1(int xb0, int[] xt, int[] wt, int t0, int t1, int wShift, int step, int yo, boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        for (int t = t0; t < t1; t++) {
            int xp0 = xb0 + xt[t];
            int wi = wt[t] + wShift;
            for (int il = 0; il < L; il++, wi += step) {
                FloatVector w0 = FloatVector.fromArray(S, wd, wi);
                FloatVector x0 = FloatVector.broadcast(S, x[xp0 + il]);
                a00 = w0.fma(x0, a00);
            }
        }
        a00.intoArray(y, yo);
    }
}
