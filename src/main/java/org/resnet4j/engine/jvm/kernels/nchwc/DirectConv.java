package org.resnet4j.engine.jvm.kernels.nchwc;

import static org.resnet4j.engine.jvm.kernels.nchwc.Nchwc.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.resnet4j.engine.jvm.kernels.ConvGeometry;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.VectorWidth;

/**
 * Direct 2-D convolution on the {@link Nchwc} layout, no im2col and no packing at run time:
 * x (N,CB,H,W,L), weights from {@link BlockedWeights} -> y (N,OCB,OH,OW,L) = relu?(conv + b + r).
 *
 * <p>Register tile: a weight tile's 4, 3, 2 or 1 output channel blocks x 2, 3, 4 or 6 output pixels
 * ({@link #pixelsPerTile}: 8 to 10 vector accumulators, what C2 keeps in registers; twice the pixels
 * of 4, 2 and 1 blocks at 512 bits, {@link #WIDE_REGISTERS}). For every input
 * channel of every tap it loads the tile's weight vectors once and broadcasts each pixel's input value
 * once: 8 FMAs for 6 loads in the 4x2 tile. The pixels are consecutive in the batch's (N·OH·OW) order
 * and may lie on different rows or images, so a batch of 7x7 outputs runs 4x2 tiles across its rows and
 * images with at most one single pixel, a batch of 1x1 outputs pairs its images, and a 1x1 stride-1
 * convolution is a GEMM over channel blocks straight on the input. Input blocks are taken in chunks
 * whose weights stay in L1 while the chunk runs over a work item's pixels; partial sums wait in y.
 *
 * <p>Padding: a convolution with pads reads a zero-bordered copy of its input (made here, the size of
 * the input plus the border), so that an interior tile's pixels read every tap with no bounds test;
 * a tile at the border runs only the taps that some pixel of it reads inside the input (a 3x3 on a
 * 1x1 output runs one tap of nine), the others would only multiply the zero border.
 *
 * <p>A plain (N,C,H,W) input with C below L (an RGB stem) is read as it is, one input channel per
 * step (tables from {@link BlockedWeights#packPlainInput}), rather than converted to blocks of which C lanes of L are real.
 *
 * <p>Each output element sums input blocks, ky, kx and input lanes in ascending order whichever tile
 * computes it, and work items are fixed ranges of pixels, so results do not depend on the thread count.
 */
public final class DirectConv {
    private static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    /** Output pixels (in the batch's N·OH·OW order) per work item: a multiple of every tile's pixel count. */
    static final int PIXEL_CHUNK = 96;
    /**
     * Multiply-adds below which a task is not handed to another thread. The hand-off costs 2.6 µs
     * median, 5.6 µs p90 (GemmProbe, on the loaded 2-core box); 2^20 multiply-adds take ~35 µs at
     * 60 GFLOP/s (three quarters of one 2.45 GHz AVX2 core's 78 GFLOP/s peak; the kernel's own rate
     * could not be measured on a quiet machine), so a task pays at most ~16 % at p90, and a
     * convolution runs on one thread below twice that size. The count includes the taps a border tile
     * skips: counting only those read kept resnet18's small convolutions (8x8-32x32) on one thread and
     * made the model 5-20 % slower at 2 threads; 2^18 instead of 2^20 changed nothing beyond the noise
     * (docs/PERFORMANCE.md, Threads and buffers; Tried and not kept).
     */
    static final long MIN_TASK_MACS = 1L << 20;
    /** Bytes of weights one input-block chunk may use: most of a 32 KiB L1, the rest for inputs and sums. */
    static final long L1_WEIGHTS = 24 * 1024;

    /**
     * What one convolution's runs share at one input size: its weights and the offset tables of its
     * tiles' steps and its pixels. Building them costs as much as running a small convolution (a 512-channel
     * 3x3's step tables are 300 kB), so an engine makes them once per input size ({@link #tables}) and
     * reuses them ({@link #fits}); immutable, so concurrent runs may share one.
     */
    public static final class Tables {
        /** The geometry these tables are for, with batch size 0: they serve any batch. */
        private final ConvGeometry shape;
        /** The weights they were made for. */
        private final BlockedWeights packed;
        /**
         * The geometry the kernel runs: {@link #shape}, or, when no output pixel reads some of the kernel's
         * taps inside the input, the convolution with those taps cut off and the pads moved with them.
         */
        private final ConvGeometry runs;
        /** The weights the kernel reads: {@link #packed}, or their kept taps ({@link BlockedWeights#taps}). */
        private final BlockedWeights w;
        /** The (maybe zero-bordered) input's height and width. */
        private final int hp;

        private final int wp;
        private final boolean border;
        private final int cb;
        private final int ocb;
        private final int ow;
        private final int kk;
        private final int kh;
        private final int kw;
        /** The (maybe padded) input's plane and row strides in floats. */
        private final int plane;

        private final int rowStride;
        private final int ohw;
        private final int oplane;
        /** Floats of one image in the (maybe padded) input and in the output. */
        private final int imageX;

        private final int imageY;
        /** Per output pixel (OH·OW order), its window corner's offset in an input plane: no division per tile. */
        private final int[] bases;
        /** Input channels per input block: L, or 1 for a plain input ({@link BlockedWeights#packPlainInput}). */
        private final int lanesIn;
        /**
         * Per weight tile: the input offset of each (input block, tap, input lane) step from a pixel's
         * base; the step's weights are at the tile's offset + step·nb·L, nb the tile's output blocks
         * ({@link #tile4x2}). Tiles over as many input blocks share one array.
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

        // g, packed: what the caller has; rg, w: what runs (the same, or with fewer taps)
        private Tables(ConvGeometry g, BlockedWeights packed, ConvGeometry rg, BlockedWeights w) {
            shape = g.withBatch(0);
            this.packed = packed;
            runs = rg.withBatch(0);
            this.w = w;
            g = rg;
            border = needsBorder(g);
            lanesIn = w.lanesIn;
            cb = lanesIn == L ? Nchwc.blocks(g.c()) : g.c();
            long hpL = border ? paddedH(g) : g.h();
            long wpL = border ? paddedW(g) : g.w();
            double copy = (double) hpL * wpL * cb * lanesIn;
            double inOut = (double) cb * lanesIn * g.h() * g.w() + (double) Nchwc.blocks(g.oc()) * L * g.oh() * g.ow();
            if (border && copy > 4 * inOut + (1 << 20)) {
                throw new BorderTooLarge(String.format(
                        java.util.Locale.ROOT,
                        "its input zero-bordered to %d x %d would take %.0f floats per image, for an input and an"
                                + " output of %.0f",
                        hpL,
                        wpL,
                        copy,
                        inOut));
            }
            hp = (int) hpL;
            wp = (int) wpL;
            ocb = Nchwc.blocks(g.oc());
            ow = g.ow();
            kk = g.kh() * g.kw();
            kh = g.kh();
            kw = g.kw();
            plane = hp * wp * lanesIn;
            rowStride = wp * lanesIn;
            ohw = g.oh() * g.ow();
            oplane = ohw * L;
            imageX = cb * plane;
            imageY = ocb * oplane;
            bases = new int[ohw];
            for (int j = 0; j < ohw; j++) {
                bases[j] = j / ow * g.strideH() * rowStride + j % ow * g.strideW() * lanesIn;
            }
            if (lanesIn == L && border) {
                kyLo = new int[ohw];
                kyHi = new int[ohw];
                kxLo = new int[ohw];
                kxHi = new int[ohw];
                for (int j = 0; j < ohw; j++) {
                    int iy0 = j / ow * g.strideH() - g.padT();
                    int ix0 = j % ow * g.strideW() - g.padL();
                    kyLo[j] = firstTapIn(iy0, g.dilH());
                    kyHi[j] = lastTapIn(iy0, g.dilH(), kh, g.h());
                    kxLo[j] = firstTapIn(ix0, g.dilW());
                    kxHi[j] = lastTapIn(ix0, g.dilW(), kw, g.w());
                }
            } else {
                kyLo = kyHi = kxLo = kxHi = null;
            }
            stepX = new int[w.tiles()][];
            for (int t = 0; t < w.tiles(); t++) {
                int icbs = w.tileIcbs[t];
                // a step's input offset depends on the tile's input blocks only through their count
                if (t > 0 && w.tileIcbs[t - 1] == icbs) {
                    stepX[t] = stepX[t - 1];
                    continue;
                }
                stepX[t] = new int[icbs * kk * lanesIn];
                int i = 0;
                for (int ib = 0; ib < icbs; ib++) {
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            for (int il = 0; il < lanesIn; il++, i++) {
                                stepX[t][i] = ib * plane + ky * g.dilH() * rowStride + kx * g.dilW() * lanesIn + il;
                            }
                        }
                    }
                }
            }
        }

        /** Floats of scratch {@link #conv} needs for a batch of {@code n}: the zero-bordered input, or 0. */
        public int scratchSize(int n) {
            return border ? n * cb * plane : 0;
        }

        /** True when these tables serve {@code g} (any batch size) with weights {@code w}. */
        public boolean fits(ConvGeometry g, BlockedWeights w) {
            return packed == w && shape.equals(g.withBatch(0));
        }

        /** Taps per input channel the kernel runs: kH·kW, or fewer when no pixel reads the others ({@link #tables}). */
        public int taps() {
            return kk;
        }
    }

    private final Tables tab;
    private final float[] x;
    private final float[] y;
    private final float[] r;
    private final boolean relu;
    /**
     * The tiles' weights and output plane size, copied from {@link #tab}. Read through it inside the
     * tiles, they made a 64->64 3x3 at 56x56 10-15 % slower under C2 (best 52-53 against 58-65 GFLOP/s;
     * docs/PERFORMANCE.md, Direct convolution (NCHWc)).
     */
    private final float[] wd;

    private final int oplane;

    private DirectConv(Tables tab, float[] x, float[] r, boolean relu, float[] y) {
        this.tab = tab;
        this.x = x;
        this.y = y;
        this.r = r;
        this.relu = relu;
        this.wd = tab.w.data;
        this.oplane = tab.oplane;
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    // along one axis, a window whose first tap reads input position i0: its first tap at or past 0
    private static int firstTapIn(int i0, int dil) {
        return Math.max(0, ceilDiv(-i0, dil));
    }

    // ... and its last tap (of k) before position in, the input's size
    private static int lastTapIn(int i0, int dil, int k, int in) {
        return Math.min(k - 1, Math.floorDiv(in - 1 - i0, dil));
    }

    /** True when some window of {@code g} reaches outside the input (pads, or ceil_mode's trailing windows). */
    static boolean needsBorder(ConvGeometry g) {
        return g.padT() > 0
                || g.padL() > 0
                || (g.oh() - 1) * g.strideH() + (g.kh() - 1) * g.dilH() >= g.h()
                || (g.ow() - 1) * g.strideW() + (g.kw() - 1) * g.dilW() >= g.w();
    }

    private static long paddedH(ConvGeometry g) {
        return Math.max((long) g.padT() + g.h(), (g.oh() - 1L) * g.strideH() + (g.kh() - 1L) * g.dilH() + 1);
    }

    private static long paddedW(ConvGeometry g) {
        return Math.max((long) g.padL() + g.w(), (g.ow() - 1L) * g.strideW() + (g.kw() - 1L) * g.dilW() + 1);
    }

    /**
     * A convolution whose zero-bordered input copy would be out of proportion to its input and output:
     * more than 4 times both together, plus 1 Mi floats. A dilated convolution on a 1x1 input asked
     * for 4.3 GB for one output pixel, and overflowed int beyond (an ArrayIndexOutOfBoundsException).
     */
    public static final class BorderTooLarge extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BorderTooLarge(String message) {
            super(message);
        }
    }

    /**
     * True when {@link #conv} takes a convolution of {@code c} input channels on a plain input ({@link
     * BlockedWeights#packPlainInput}): group 1 and fewer input channels than a block (an RGB stem: 3 ->
     * 64; the digits model's 1 -> 16). The output channels may make any number of blocks: since every
     * tile width runs over its step list, a 1-, 2- or 3-block tile reads a plain input as well.
     */
    public static boolean takesPlainInput(int c, int group) {
        return group == 1 && c < L;
    }

    /**
     * The tables for convolutions of geometry {@code g} (any batch size) with weights {@code w}: from
     * {@link BlockedWeights#pack} for a blocked input, or {@link BlockedWeights#packPlainInput} for a
     * plain one.
     */
    public static Tables tables(ConvGeometry g, BlockedWeights w) {
        if (w.oc != g.oc() || w.c != g.c() || w.kh != g.kh() || w.kw != g.kw()) {
            throw new IllegalArgumentException(
                    "weights packed for (" + w.oc + ", " + w.c + ", " + w.kh + ", " + w.kw + "), not for " + g);
        }
        if (w.lanesIn == 1 && !takesPlainInput(g.c(), g.group())) {
            throw new IllegalArgumentException("not a plain-input convolution: " + g);
        }
        int[] box = w.lanesIn == L ? tapsRead(g) : null;
        if (box == null) {
            return new Tables(g, w, g, w);
        }
        int kh2 = box[1] - box[0] + 1;
        int kw2 = box[3] - box[2] + 1;
        ConvGeometry cut = new ConvGeometry(
                g.n(),
                g.c(),
                g.h(),
                g.w(),
                g.oc(),
                g.group(),
                kh2,
                kw2,
                g.strideH(),
                g.strideW(),
                g.dilH(),
                g.dilW(),
                g.padT() - box[0] * g.dilH(),
                g.padL() - box[2] * g.dilW(),
                g.oh(),
                g.ow());
        return new Tables(g, w, cut, w.taps(box[0], kh2, box[2], kw2));
    }

    /**
     * The taps of {@code g} that some output pixel reads inside the input, as {ky0, ky1, kx0, kx1}
     * (inclusive), when they are fewer than the kernel's; else null. At small inputs a ResNet's deep
     * stages read few taps: a 3x3 with pad 1 on a 1x1 input reads only its centre, and a border tile
     * skipped the rest but still read the kept tap's weights as 1 KB runs 9 KB apart, which ran
     * ResNet-18's 512-channel convolutions at 8x8 inputs at 4 GB/s, because the prefetchers do not
     * follow the jumps: ~390 µs each, 70-76 µs cut (docs/PERFORMANCE.md, Tap tables and the tap cut).
     * Cut to those taps, the weights are one stream.
     * The sums are the same floats: each output adds the same products in the same order, the
     * skipped taps having read only the zero border. Not cut when the pads cannot move with the taps
     * (a dilation larger than the pad) or when no pixel reads any tap.
     */
    private static int[] tapsRead(ConvGeometry g) {
        if (!needsBorder(g)) {
            return null;
        }
        int[] y = tapRange(g.oh(), g.strideH(), g.padT(), g.dilH(), g.kh(), g.h());
        int[] x = tapRange(g.ow(), g.strideW(), g.padL(), g.dilW(), g.kw(), g.w());
        if (y[0] > y[1] || x[0] > x[1] || (y[0] == 0 && y[1] == g.kh() - 1 && x[0] == 0 && x[1] == g.kw() - 1)) {
            return null;
        }
        if (y[0] * g.dilH() > g.padT() || x[0] * g.dilW() > g.padL()) {
            return null;
        }
        return new int[] {y[0], y[1], x[0], x[1]};
    }

    // along one axis: the lowest and highest tap that some of the out positions reads inside [0, in)
    private static int[] tapRange(int out, int stride, int pad, int dil, int k, int in) {
        int lo = k;
        int hi = -1;
        for (int o = 0; o < out; o++) {
            int i0 = o * stride - pad;
            int a = firstTapIn(i0, dil);
            int b = lastTapIn(i0, dil, k, in);
            if (a <= b) {
                lo = Math.min(lo, a);
                hi = Math.max(hi, b);
            }
        }
        return new int[] {lo, hi};
    }

    /**
     * x (N,CB,H,W,L), or (N,C,H,W) for plain-input tables; r (N,OCB,OH,OW,L) or null -> y
     * (N,OCB,OH,OW,L) = relu?(conv + b + r). {@code scratch}: {@link Tables#scratchSize} floats (null
     * when 0), the zero-bordered input.
     */
    public static void conv(
            Tables t, ConvGeometry g, float[] x, float[] r, boolean relu, float[] y, float[] scratch, Parallel par) {
        if (!t.fits(g, t.packed)) {
            throw new IllegalArgumentException("tables made for " + t.shape + ", not for " + g);
        }
        float[] src = x;
        if (t.border) {
            border(t.runs.withBatch(g.n()), x, t.cb, t.lanesIn, t.hp, t.wp, scratch, par);
            src = scratch;
        }
        run(new DirectConv[] {new DirectConv(t, src, r, relu, y)}, g, par);
    }

    /** {@link #conv} with tables made for this call (tests; an engine keeps its tables). */
    public static void conv(
            ConvGeometry g,
            float[] x,
            BlockedWeights w,
            float[] r,
            boolean relu,
            float[] y,
            float[] scratch,
            Parallel par) {
        conv(tables(g, w), g, x, r, relu, y, scratch, par);
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

    /**
     * Several convolutions of one geometry, each with its own tables, input and output (no residual or
     * Relu, no border: Winograd's 16 position GEMMs), in one parallel loop: one hand-off to the other
     * threads instead of one per convolution. The work items are those each would run alone, so the
     * results are the same as {@link #conv}'s.
     */
    public static void convAll(Tables[] t, ConvGeometry g, float[][] x, float[][] y, Parallel par) {
        DirectConv[] convs = new DirectConv[t.length];
        for (int i = 0; i < t.length; i++) {
            if (!t[i].fits(g, t[i].packed) || t[i].border || !t[i].shape.equals(t[0].shape)) {
                throw new IllegalArgumentException(
                        "tables made for " + t[i].shape + (t[i].border ? " with a border" : "") + ", not for " + g);
            }
            convs[i] = new DirectConv(t[i], x[i], null, false, y[i]);
        }
        if (convs.length > 0) {
            run(convs, g, par);
        }
    }

    // convs: the same geometry and weight tiling, run as one sequence of work items
    private static void run(DirectConv[] convs, ConvGeometry g, Parallel par) {
        Tables tab = convs[0].tab;
        // the batch's pixels are one sequence (image-major), so a tile may take pixels of two images:
        // at a 1x1 output (ResNet's last stage at 32x32 inputs) the 4x2 tile pairs images instead of
        // running every image as a latency-bound single pixel
        int pixelsAll = g.n() * tab.ohw;
        int chunks = (pixelsAll + PIXEL_CHUNK - 1) / PIXEL_CHUNK;
        int tiles = tab.w.tiles();
        int items = tiles * chunks;
        long macs = 0;
        for (int t = 0; t < tiles; t++) {
            macs += (long) tab.w.tileBlocks[t] * tab.w.tileIcbs[t];
        }
        macs *= (long) tab.lanesIn * L * tab.kk * pixelsAll;
        long perItem = Math.max(1, macs / Math.max(1, items));
        int grain = (int) Math.min(items, Math.max(1, MIN_TASK_MACS / perItem));
        if (macs * convs.length < 2 * MIN_TASK_MACS) {
            grain = Math.max(1, items * convs.length);
        }
        // Order of the items: tile-major re-reads all the input once per weight tile, pixel-major re-reads
        // all the weights once per pixel chunk. Whichever streams fewer bytes: at batch 8 the input of
        // ResNet-50's first stages no longer fits in cache and tile-major ran 2.8x ORT's time, against
        // 1.0x at batch 1 (docs/PERFORMANCE.md, Threads and buffers); deep layers with big weights and few
        // pixels stay tile-major.
        long inputBytes = (long) g.n() * tab.imageX * Float.BYTES;
        long weightBytes = (long) tab.w.data.length * Float.BYTES;
        boolean pixelMajor = (long) tiles * inputBytes > (long) chunks * weightBytes;
        par.forRange(items * convs.length, grain, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                DirectConv c = convs[i / items];
                int k = i % items;
                int tile = pixelMajor ? k % tiles : k / chunks;
                int q0 = (pixelMajor ? k / tiles : k % chunks) * PIXEL_CHUNK;
                c.pixels(tile, q0, Math.min(pixelsAll, q0 + PIXEL_CHUNK));
            }
        });
    }

    // pixels [q0, q1) of the batch's sequence (pixel q is pixel q % OH·OW of image q / OH·OW), the output
    // blocks of one weight tile
    private void pixels(int tile, int q0, int q1) {
        int nb = tab.w.tileBlocks[tile];
        int b0 = tab.w.tileBlock0[tile];
        int icbs = tab.w.tileIcbs[tile];
        int xTile = tab.w.tileIcb0[tile] * tab.plane;
        int yTile = b0 * tab.oplane;
        int chunk = (int) Math.max(1, L1_WEIGHTS / ((long) tab.kk * tab.lanesIn * nb * L * Float.BYTES));
        int px = pixelsPerTile(nb);
        // per pixel of a tile, its x and y offsets from the tile's first pixel
        int[] dx = new int[px];
        int[] dy = new int[px];
        for (int ib0 = 0; ib0 < icbs; ib0 += chunk) {
            int ib1 = Math.min(icbs, ib0 + chunk);
            boolean first = ib0 == 0;
            boolean last = ib1 == icbs;
            int bo = b0 * L;
            // pixel q is pixel j of image img, stepped along (a division per pixel cost 30 % at 56x56)
            int img = q0 / tab.ohw;
            int j = q0 % tab.ohw;
            for (int q = q0; q < q1; ) {
                int p = q + px <= q1 ? px : 1;
                int x0 = img * tab.imageX + tab.bases[j];
                int y0 = img * tab.imageY + j * L;
                int yo = yTile + y0;
                int xb0 = xTile + x0;
                // at the border, only the taps some pixel of the tile reads inside the input: a 3x3 on a
                // 1x1 or 2x2 output (CIFAR-size and digits inputs) otherwise multiplies 8/9 or 5/9 zeros
                int yl = tab.kh, yh = -1, xl = tab.kw, xh = -1;
                for (int k = 0; k < p; k++) {
                    if (k > 0) {
                        dx[k] = img * tab.imageX + tab.bases[j] - x0;
                        dy[k] = img * tab.imageY + j * L - y0;
                    }
                    if (tab.kyLo != null) {
                        yl = Math.min(yl, tab.kyLo[j]);
                        yh = Math.max(yh, tab.kyHi[j]);
                        xl = Math.min(xl, tab.kxLo[j]);
                        xh = Math.max(xh, tab.kxHi[j]);
                    }
                    if (++j == tab.ohw) {
                        j = 0;
                        img++;
                    }
                }
                if (tab.kyLo == null) {
                    yl = 0;
                    yh = tab.kh - 1;
                    xl = 0;
                    xh = tab.kw - 1;
                }
                if (yl > yh || xl > xh) {
                    // no tap of these pixels reads the input: the sums stay as they are
                    if (first) {
                        zero(yo, dy, nb, p);
                    }
                } else {
                    steps(tile, nb, p, xb0, dx, yo, dy, ib0, ib1, yl, yh, xl, xh, first);
                }
                if (last) {
                    finish(yo, dy, bo, nb, p);
                }
                q += p;
            }
        }
    }

    /**
     * The tile's kernel over taps ky in [yl, yh], kx in [xl, xh] of input blocks [ib0, ib1): runs of the
     * tile's full (input block, tap, lane) step list, whose weights are consecutive ({@link #tile4x2}).
     * Inside the input that is one run; at the border one per (block, ky) row of taps, merged where
     * contiguous, the sums kept in y between runs. Pixel k is dx[k] floats on in x and dy[k] in y.
     */
    private void steps(
            int tile,
            int nb,
            int p,
            int xb0,
            int[] dx,
            int yo,
            int[] dy,
            int ib0,
            int ib1,
            int yl,
            int yh,
            int xl,
            int xh,
            boolean first) {
        int[] xs = tab.stepX[tile];
        int wBase = tab.w.tileOff[tile];
        int lanes = tab.lanesIn;
        if (yl == 0 && xl == 0 && yh == tab.kh - 1 && xh == tab.kw - 1) {
            // inside the input: the blocks' whole step range, one run
            run(nb, p, xb0, dx, xs, wBase, ib0 * tab.kk * lanes, ib1 * tab.kk * lanes, yo, dy, first);
            return;
        }
        int r0 = -1;
        int r1 = -1;
        boolean f = first;
        for (int ib = ib0; ib < ib1; ib++) {
            for (int ky = yl; ky <= yh; ky++) {
                int s0 = (ib * tab.kk + ky * tab.kw + xl) * lanes;
                int s1 = (ib * tab.kk + ky * tab.kw + xh + 1) * lanes;
                if (s0 == r1) {
                    r1 = s1;
                    continue;
                }
                if (r0 >= 0) {
                    run(nb, p, xb0, dx, xs, wBase, r0, r1, yo, dy, f);
                    f = false;
                }
                r0 = s0;
                r1 = s1;
            }
        }
        run(nb, p, xb0, dx, xs, wBase, r0, r1, yo, dy, f);
    }

    // steps [s0, s1) of the tile's step list: the register tile for nb blocks x p pixels, or, for a single
    // pixel of a narrow tile, one block at a time
    private void run(
            int nb, int p, int xb0, int[] dx, int[] xs, int wBase, int s0, int s1, int yo, int[] dy, boolean first) {
        if (p == 1) {
            if (nb == 4) {
                tile4x1(xb0, xs, wBase, s0, s1, yo, first);
            } else {
                for (int b = 0; b < nb; b++) {
                    tile1x1(xb0, xs, wBase + b * L, nb * L, s0, s1, yo + b * oplane, first);
                }
            }
            return;
        }
        switch (nb) {
            case 4 -> {
                if (p == 4) {
                    tile4x4(xb0, dx[1], dx[2], dx[3], xs, wBase, s0, s1, yo, dy[1], dy[2], dy[3], first);
                } else {
                    tile4x2(xb0, dx[1], xs, wBase, s0, s1, yo, dy[1], first);
                }
            }
            case 3 -> tile3x3(xb0, dx[1], dx[2], xs, wBase, s0, s1, yo, dy[1], dy[2], first);
            case 2 -> {
                if (p == 8) {
                    tile2x8(xb0, dx, xs, wBase, s0, s1, yo, dy, first);
                } else {
                    tile2x4(xb0, dx[1], dx[2], dx[3], xs, wBase, s0, s1, yo, dy[1], dy[2], dy[3], first);
                }
            }
            default -> {
                if (p == 12) {
                    tile1x12(xb0, dx, xs, wBase, s0, s1, yo, dy, first);
                } else {
                    tile1x6(xb0, dx, xs, wBase, s0, s1, yo, dy, first);
                }
            }
        }
    }

    // zeros the sums of nb blocks x p pixels from yo (pixel k at + dy[k])
    private void zero(int yo, int[] dy, int nb, int p) {
        FloatVector z = FloatVector.zero(S);
        for (int b = 0; b < nb; b++) {
            for (int k = 0; k < p; k++) {
                z.intoArray(y, yo + b * tab.oplane + (k == 0 ? 0 : dy[k]));
            }
        }
    }

    // the epilogue on the sums of nb blocks x p pixels from yo (pixel k at + dy[k]): y = relu?(y +
    // bias[bo..] + r[..]), the GEMM epilogue's order. A pass of its own after the tile stored its sums:
    // called from the register tiles, the epilogue was not always inlined (too large for a cold call
    // site) and its vectors were boxed, 8 allocations per tile
    private void finish(int yo, int[] dy, int bo, int nb, int p) {
        for (int b = 0; b < nb; b++) {
            for (int k = 0; k < p; k++) {
                int o = yo + b * tab.oplane + (k == 0 ? 0 : dy[k]);
                FloatVector acc = FloatVector.fromArray(S, y, o);
                if (tab.w.bias != null) {
                    acc = acc.add(FloatVector.fromArray(S, tab.w.bias, bo + b * L));
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
     * True at 512 bits, where the tiles take twice the pixels (16, 16 and 12 accumulators: 4x4, 2x8,
     * 1x12): AVX-512 has 32 vector registers, so C2 keeps them with the weight vectors and a broadcast,
     * and the 4x4 does 16 FMAs for 8 loads instead of 8 for 6. Zen 4, 2 threads, JDK 25, alternating
     * processes against the narrow tiles: resnet50 batch 8 1.21-1.24x ORT's time instead of 1.54-1.70x,
     * batch 1 1.42-1.57x instead of 1.71-1.88x; the digits model (16-64 channels: 1, 2 and 4 blocks)
     * 1.21-1.29x instead of 1.32-1.38x on one thread (docs/PERFORMANCE.md). The tiles follow the width,
     * not the CPU (as the GEMM's does), so every width's tests run every tile on any host.
     */
    static final boolean WIDE_REGISTERS = L >= 16;

    /**
     * Output pixels per register tile for a tile of {@code nb} output blocks: below 512 bits at most 10 vector
     * accumulators. C2 keeps 8-10 accumulators in registers and runs them at ~90 GFLOP/s on one Zen 3
     * core (L1-resident data), but spills a 12-accumulator tile (4x3, 2x6, 3x4) and runs it at ~37:
     * measured with generated B x P tiles (docs/PERFORMANCE.md, Direct convolution (NCHWc)).
     */
    static int pixelsPerTile(int nb) {
        return switch (nb) {
            case 4 -> WIDE_REGISTERS ? 4 : 2;
            case 3 -> 3;
            case 2 -> WIDE_REGISTERS ? 8 : 4;
            default -> WIDE_REGISTERS ? 12 : 6;
        };
    }

    // The register tiles below are one loop, unrolled by hand for each tile shape (C2 keeps vectors in
    // registers only as named locals, and only through simple loops: a four-deep nest over blocks, ky,
    // kx and lanes ran 15x slower, its accumulators boxed; so did a lane loop with a bound that is not
    // the constant L, 8x slower). Weights: the tile's blocks are consecutive vectors per input lane.

    // 4 output blocks x 2 pixels over steps [s0, s1) of a weight tile's full (tap, input lane) step list:
    // step s reads the input at xb0 + xs[s] (+ d1 for pixel 1) and the tile's 4 weight vectors at
    // wBase + s·4L (consecutive) -> y from yo (block b at + b·oplane, pixel 1 at + e1). The weights' index
    // comes from the loop counter, which C2 checks once before the loop: a table of weight offsets, loaded
    // and checked per step, made C2's loop 36 instructions per 8 FMAs instead of 29, and resnet18/50 9-12 %
    // slower (objdump of C2's code; docs/PERFORMANCE.md, Direct convolution (NCHWc)).
    private void tile4x2(int xb0, int d1, int[] xs, int wBase, int s0, int s1, int yo, int e1, boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + e1);
        FloatVector a10 = first ? z : FloatVector.fromArray(S, y, yo + oplane);
        FloatVector a11 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e1);
        FloatVector a20 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane);
        FloatVector a21 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane + e1);
        FloatVector a30 = first ? z : FloatVector.fromArray(S, y, yo + 3 * oplane);
        FloatVector a31 = first ? z : FloatVector.fromArray(S, y, yo + 3 * oplane + e1);
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
        a01.intoArray(y, yo + e1);
        a10.intoArray(y, yo + oplane);
        a11.intoArray(y, yo + oplane + e1);
        a20.intoArray(y, yo + 2 * oplane);
        a21.intoArray(y, yo + 2 * oplane + e1);
        a30.intoArray(y, yo + 3 * oplane);
        a31.intoArray(y, yo + 3 * oplane + e1);
    }

    // 4 output blocks x 4 pixels (512 bits: WIDE_REGISTERS) over steps [s0, s1), as tile4x2; pixel p's window
    // corner at xb0 + dp -> y from yo (block b at + b·oplane, pixel p at + ep)
    private void tile4x4(
            int xb0,
            int d1,
            int d2,
            int d3,
            int[] xs,
            int wBase,
            int s0,
            int s1,
            int yo,
            int e1,
            int e2,
            int e3,
            boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        int o1 = oplane, o2 = 2 * oplane, o3 = 3 * oplane;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + e1);
        FloatVector a02 = first ? z : FloatVector.fromArray(S, y, yo + e2);
        FloatVector a03 = first ? z : FloatVector.fromArray(S, y, yo + e3);
        FloatVector a10 = first ? z : FloatVector.fromArray(S, y, yo + o1);
        FloatVector a11 = first ? z : FloatVector.fromArray(S, y, yo + o1 + e1);
        FloatVector a12 = first ? z : FloatVector.fromArray(S, y, yo + o1 + e2);
        FloatVector a13 = first ? z : FloatVector.fromArray(S, y, yo + o1 + e3);
        FloatVector a20 = first ? z : FloatVector.fromArray(S, y, yo + o2);
        FloatVector a21 = first ? z : FloatVector.fromArray(S, y, yo + o2 + e1);
        FloatVector a22 = first ? z : FloatVector.fromArray(S, y, yo + o2 + e2);
        FloatVector a23 = first ? z : FloatVector.fromArray(S, y, yo + o2 + e3);
        FloatVector a30 = first ? z : FloatVector.fromArray(S, y, yo + o3);
        FloatVector a31 = first ? z : FloatVector.fromArray(S, y, yo + o3 + e1);
        FloatVector a32 = first ? z : FloatVector.fromArray(S, y, yo + o3 + e2);
        FloatVector a33 = first ? z : FloatVector.fromArray(S, y, yo + o3 + e3);
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
            FloatVector x2 = FloatVector.broadcast(S, x[xp + d2]);
            a02 = w0.fma(x2, a02);
            a12 = w1.fma(x2, a12);
            a22 = w2.fma(x2, a22);
            a32 = w3.fma(x2, a32);
            FloatVector x3 = FloatVector.broadcast(S, x[xp + d3]);
            a03 = w0.fma(x3, a03);
            a13 = w1.fma(x3, a13);
            a23 = w2.fma(x3, a23);
            a33 = w3.fma(x3, a33);
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + e1);
        a02.intoArray(y, yo + e2);
        a03.intoArray(y, yo + e3);
        a10.intoArray(y, yo + o1);
        a11.intoArray(y, yo + o1 + e1);
        a12.intoArray(y, yo + o1 + e2);
        a13.intoArray(y, yo + o1 + e3);
        a20.intoArray(y, yo + o2);
        a21.intoArray(y, yo + o2 + e1);
        a22.intoArray(y, yo + o2 + e2);
        a23.intoArray(y, yo + o2 + e3);
        a30.intoArray(y, yo + o3);
        a31.intoArray(y, yo + o3 + e1);
        a32.intoArray(y, yo + o3 + e2);
        a33.intoArray(y, yo + o3 + e3);
    }

    // 2 output blocks x 8 pixels (512 bits: WIDE_REGISTERS) over steps [s0, s1), as tile4x2 (weights at
    // wBase + s·2·L); pixel p's window corner at xb0 + dx[p] -> y from yo (block b at + b·oplane, pixel p at + dy[p])
    private void tile2x8(int xb0, int[] dx, int[] xs, int wBase, int s0, int s1, int yo, int[] dy, boolean first) {
        int d1 = dx[1], e1 = dy[1];
        int d2 = dx[2], e2 = dy[2];
        int d3 = dx[3], e3 = dy[3];
        int d4 = dx[4], e4 = dy[4];
        int d5 = dx[5], e5 = dy[5];
        int d6 = dx[6], e6 = dy[6];
        int d7 = dx[7], e7 = dy[7];
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + e1);
        FloatVector a02 = first ? z : FloatVector.fromArray(S, y, yo + e2);
        FloatVector a03 = first ? z : FloatVector.fromArray(S, y, yo + e3);
        FloatVector a04 = first ? z : FloatVector.fromArray(S, y, yo + e4);
        FloatVector a05 = first ? z : FloatVector.fromArray(S, y, yo + e5);
        FloatVector a06 = first ? z : FloatVector.fromArray(S, y, yo + e6);
        FloatVector a07 = first ? z : FloatVector.fromArray(S, y, yo + e7);
        FloatVector a10 = first ? z : FloatVector.fromArray(S, y, yo + oplane);
        FloatVector a11 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e1);
        FloatVector a12 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e2);
        FloatVector a13 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e3);
        FloatVector a14 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e4);
        FloatVector a15 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e5);
        FloatVector a16 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e6);
        FloatVector a17 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e7);
        for (int s = s0; s < s1; s++) {
            int xp = xb0 + xs[s];
            int wi = wBase + s * (2 * L);
            FloatVector w0 = FloatVector.fromArray(S, wd, wi);
            FloatVector w1 = FloatVector.fromArray(S, wd, wi + L);
            FloatVector x0 = FloatVector.broadcast(S, x[xp]);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            FloatVector x1 = FloatVector.broadcast(S, x[xp + d1]);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            FloatVector x2 = FloatVector.broadcast(S, x[xp + d2]);
            a02 = w0.fma(x2, a02);
            a12 = w1.fma(x2, a12);
            FloatVector x3 = FloatVector.broadcast(S, x[xp + d3]);
            a03 = w0.fma(x3, a03);
            a13 = w1.fma(x3, a13);
            FloatVector x4 = FloatVector.broadcast(S, x[xp + d4]);
            a04 = w0.fma(x4, a04);
            a14 = w1.fma(x4, a14);
            FloatVector x5 = FloatVector.broadcast(S, x[xp + d5]);
            a05 = w0.fma(x5, a05);
            a15 = w1.fma(x5, a15);
            FloatVector x6 = FloatVector.broadcast(S, x[xp + d6]);
            a06 = w0.fma(x6, a06);
            a16 = w1.fma(x6, a16);
            FloatVector x7 = FloatVector.broadcast(S, x[xp + d7]);
            a07 = w0.fma(x7, a07);
            a17 = w1.fma(x7, a17);
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + e1);
        a02.intoArray(y, yo + e2);
        a03.intoArray(y, yo + e3);
        a04.intoArray(y, yo + e4);
        a05.intoArray(y, yo + e5);
        a06.intoArray(y, yo + e6);
        a07.intoArray(y, yo + e7);
        a10.intoArray(y, yo + oplane);
        a11.intoArray(y, yo + oplane + e1);
        a12.intoArray(y, yo + oplane + e2);
        a13.intoArray(y, yo + oplane + e3);
        a14.intoArray(y, yo + oplane + e4);
        a15.intoArray(y, yo + oplane + e5);
        a16.intoArray(y, yo + oplane + e6);
        a17.intoArray(y, yo + oplane + e7);
    }

    // 1 output block x 12 pixels (512 bits: WIDE_REGISTERS) over steps [s0, s1), as tile4x2 (weights at
    // wBase + s·L); pixel p's window corner at xb0 + dx[p] -> y from yo (block b at + b·oplane, pixel p at + dy[p])
    private void tile1x12(int xb0, int[] dx, int[] xs, int wBase, int s0, int s1, int yo, int[] dy, boolean first) {
        int d1 = dx[1], e1 = dy[1];
        int d2 = dx[2], e2 = dy[2];
        int d3 = dx[3], e3 = dy[3];
        int d4 = dx[4], e4 = dy[4];
        int d5 = dx[5], e5 = dy[5];
        int d6 = dx[6], e6 = dy[6];
        int d7 = dx[7], e7 = dy[7];
        int d8 = dx[8], e8 = dy[8];
        int d9 = dx[9], e9 = dy[9];
        int d10 = dx[10], e10 = dy[10];
        int d11 = dx[11], e11 = dy[11];
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + e1);
        FloatVector a02 = first ? z : FloatVector.fromArray(S, y, yo + e2);
        FloatVector a03 = first ? z : FloatVector.fromArray(S, y, yo + e3);
        FloatVector a04 = first ? z : FloatVector.fromArray(S, y, yo + e4);
        FloatVector a05 = first ? z : FloatVector.fromArray(S, y, yo + e5);
        FloatVector a06 = first ? z : FloatVector.fromArray(S, y, yo + e6);
        FloatVector a07 = first ? z : FloatVector.fromArray(S, y, yo + e7);
        FloatVector a08 = first ? z : FloatVector.fromArray(S, y, yo + e8);
        FloatVector a09 = first ? z : FloatVector.fromArray(S, y, yo + e9);
        FloatVector a0a = first ? z : FloatVector.fromArray(S, y, yo + e10);
        FloatVector a0b = first ? z : FloatVector.fromArray(S, y, yo + e11);
        for (int s = s0; s < s1; s++) {
            int xp = xb0 + xs[s];
            int wi = wBase + s * L;
            FloatVector w0 = FloatVector.fromArray(S, wd, wi);
            FloatVector x0 = FloatVector.broadcast(S, x[xp]);
            a00 = w0.fma(x0, a00);
            FloatVector x1 = FloatVector.broadcast(S, x[xp + d1]);
            a01 = w0.fma(x1, a01);
            FloatVector x2 = FloatVector.broadcast(S, x[xp + d2]);
            a02 = w0.fma(x2, a02);
            FloatVector x3 = FloatVector.broadcast(S, x[xp + d3]);
            a03 = w0.fma(x3, a03);
            FloatVector x4 = FloatVector.broadcast(S, x[xp + d4]);
            a04 = w0.fma(x4, a04);
            FloatVector x5 = FloatVector.broadcast(S, x[xp + d5]);
            a05 = w0.fma(x5, a05);
            FloatVector x6 = FloatVector.broadcast(S, x[xp + d6]);
            a06 = w0.fma(x6, a06);
            FloatVector x7 = FloatVector.broadcast(S, x[xp + d7]);
            a07 = w0.fma(x7, a07);
            FloatVector x8 = FloatVector.broadcast(S, x[xp + d8]);
            a08 = w0.fma(x8, a08);
            FloatVector x9 = FloatVector.broadcast(S, x[xp + d9]);
            a09 = w0.fma(x9, a09);
            FloatVector xa = FloatVector.broadcast(S, x[xp + d10]);
            a0a = w0.fma(xa, a0a);
            FloatVector xb = FloatVector.broadcast(S, x[xp + d11]);
            a0b = w0.fma(xb, a0b);
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + e1);
        a02.intoArray(y, yo + e2);
        a03.intoArray(y, yo + e3);
        a04.intoArray(y, yo + e4);
        a05.intoArray(y, yo + e5);
        a06.intoArray(y, yo + e6);
        a07.intoArray(y, yo + e7);
        a08.intoArray(y, yo + e8);
        a09.intoArray(y, yo + e9);
        a0a.intoArray(y, yo + e10);
        a0b.intoArray(y, yo + e11);
    }

    // 3 output blocks x 3 pixels over steps [s0, s1) of the tile's step list, as tile4x2 (weights at wBase +
    // s·3L); pixel p's window corner at xb0 + dp -> y from yo (block b at + b·oplane, pixel p at + ep)
    private void tile3x3(
            int xb0, int d1, int d2, int[] xs, int wBase, int s0, int s1, int yo, int e1, int e2, boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + e1);
        FloatVector a02 = first ? z : FloatVector.fromArray(S, y, yo + e2);
        FloatVector a10 = first ? z : FloatVector.fromArray(S, y, yo + oplane);
        FloatVector a11 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e1);
        FloatVector a12 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e2);
        FloatVector a20 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane);
        FloatVector a21 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane + e1);
        FloatVector a22 = first ? z : FloatVector.fromArray(S, y, yo + 2 * oplane + e2);
        for (int s = s0; s < s1; s++) {
            int xp = xb0 + xs[s];
            int wi = wBase + s * (3 * L);
            FloatVector w0 = FloatVector.fromArray(S, wd, wi);
            FloatVector w1 = FloatVector.fromArray(S, wd, wi + L);
            FloatVector w2 = FloatVector.fromArray(S, wd, wi + 2 * L);
            FloatVector x0 = FloatVector.broadcast(S, x[xp]);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            FloatVector x1 = FloatVector.broadcast(S, x[xp + d1]);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            a21 = w2.fma(x1, a21);
            FloatVector x2 = FloatVector.broadcast(S, x[xp + d2]);
            a02 = w0.fma(x2, a02);
            a12 = w1.fma(x2, a12);
            a22 = w2.fma(x2, a22);
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + e1);
        a02.intoArray(y, yo + e2);
        a10.intoArray(y, yo + oplane);
        a11.intoArray(y, yo + oplane + e1);
        a12.intoArray(y, yo + oplane + e2);
        a20.intoArray(y, yo + 2 * oplane);
        a21.intoArray(y, yo + 2 * oplane + e1);
        a22.intoArray(y, yo + 2 * oplane + e2);
    }

    // 2 output blocks x 4 pixels over steps [s0, s1) of the tile's step list, as tile4x2 (weights at wBase +
    // s·2L); pixel p's window corner at xb0 + dp -> y from yo (block b at + b·oplane, pixel p at + ep)
    private void tile2x4(
            int xb0,
            int d1,
            int d2,
            int d3,
            int[] xs,
            int wBase,
            int s0,
            int s1,
            int yo,
            int e1,
            int e2,
            int e3,
            boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + e1);
        FloatVector a02 = first ? z : FloatVector.fromArray(S, y, yo + e2);
        FloatVector a03 = first ? z : FloatVector.fromArray(S, y, yo + e3);
        FloatVector a10 = first ? z : FloatVector.fromArray(S, y, yo + oplane);
        FloatVector a11 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e1);
        FloatVector a12 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e2);
        FloatVector a13 = first ? z : FloatVector.fromArray(S, y, yo + oplane + e3);
        for (int s = s0; s < s1; s++) {
            int xp = xb0 + xs[s];
            int wi = wBase + s * (2 * L);
            FloatVector w0 = FloatVector.fromArray(S, wd, wi);
            FloatVector w1 = FloatVector.fromArray(S, wd, wi + L);
            FloatVector x0 = FloatVector.broadcast(S, x[xp]);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            FloatVector x1 = FloatVector.broadcast(S, x[xp + d1]);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            FloatVector x2 = FloatVector.broadcast(S, x[xp + d2]);
            a02 = w0.fma(x2, a02);
            a12 = w1.fma(x2, a12);
            FloatVector x3 = FloatVector.broadcast(S, x[xp + d3]);
            a03 = w0.fma(x3, a03);
            a13 = w1.fma(x3, a13);
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + e1);
        a02.intoArray(y, yo + e2);
        a03.intoArray(y, yo + e3);
        a10.intoArray(y, yo + oplane);
        a11.intoArray(y, yo + oplane + e1);
        a12.intoArray(y, yo + oplane + e2);
        a13.intoArray(y, yo + oplane + e3);
    }

    // 1 output block x 6 pixels over steps [s0, s1) of the tile's step list, as tile4x2 (weights at wBase +
    // s·L); pixel p's window corner at xb0 + dp -> y from yo (block b at + b·oplane, pixel p at + ep)
    private void tile1x6(int xb0, int[] dx, int[] xs, int wBase, int s0, int s1, int yo, int[] dy, boolean first) {
        int d1 = dx[1], d2 = dx[2], d3 = dx[3], d4 = dx[4], d5 = dx[5];
        int e1 = dy[1], e2 = dy[2], e3 = dy[3], e4 = dy[4], e5 = dy[5];
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        FloatVector a01 = first ? z : FloatVector.fromArray(S, y, yo + e1);
        FloatVector a02 = first ? z : FloatVector.fromArray(S, y, yo + e2);
        FloatVector a03 = first ? z : FloatVector.fromArray(S, y, yo + e3);
        FloatVector a04 = first ? z : FloatVector.fromArray(S, y, yo + e4);
        FloatVector a05 = first ? z : FloatVector.fromArray(S, y, yo + e5);
        for (int s = s0; s < s1; s++) {
            int xp = xb0 + xs[s];
            int wi = wBase + s * L;
            FloatVector w0 = FloatVector.fromArray(S, wd, wi);
            FloatVector x0 = FloatVector.broadcast(S, x[xp]);
            a00 = w0.fma(x0, a00);
            FloatVector x1 = FloatVector.broadcast(S, x[xp + d1]);
            a01 = w0.fma(x1, a01);
            FloatVector x2 = FloatVector.broadcast(S, x[xp + d2]);
            a02 = w0.fma(x2, a02);
            FloatVector x3 = FloatVector.broadcast(S, x[xp + d3]);
            a03 = w0.fma(x3, a03);
            FloatVector x4 = FloatVector.broadcast(S, x[xp + d4]);
            a04 = w0.fma(x4, a04);
            FloatVector x5 = FloatVector.broadcast(S, x[xp + d5]);
            a05 = w0.fma(x5, a05);
        }
        a00.intoArray(y, yo);
        a01.intoArray(y, yo + e1);
        a02.intoArray(y, yo + e2);
        a03.intoArray(y, yo + e3);
        a04.intoArray(y, yo + e4);
        a05.intoArray(y, yo + e5);
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

    // 1 output block x 1 pixel over steps [s0, s1) of a tile's step list: the block's weights at wBase +
    // s·stride (stride: the tile's nb·L); the pixel's window corner at xb0 -> y at yo
    private void tile1x1(int xb0, int[] xs, int wBase, int stride, int s0, int s1, int yo, boolean first) {
        float[] x = this.x;
        float[] wd = this.wd;
        float[] y = this.y;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = first ? z : FloatVector.fromArray(S, y, yo);
        for (int s = s0; s < s1; s++) {
            int xp = xb0 + xs[s];
            int wi = wBase + s * stride;
            FloatVector w0 = FloatVector.fromArray(S, wd, wi);
            FloatVector x0 = FloatVector.broadcast(S, x[xp]);
            a00 = w0.fma(x0, a00);
        }
        a00.intoArray(y, yo);
    }
}
