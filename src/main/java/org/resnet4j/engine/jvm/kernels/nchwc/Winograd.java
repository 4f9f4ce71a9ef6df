package org.resnet4j.engine.jvm.kernels.nchwc;

import static org.resnet4j.engine.jvm.kernels.nchwc.Nchwc.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.resnet4j.engine.jvm.kernels.ConvGeometry;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.VectorWidth;

/**
 * A 3x3 stride-1 convolution on the {@link Nchwc} layout by Winograd's minimal filtering F(2x2, 3x3):
 * every 2x2 block of output pixels from a 4x4 window of input, with 16 multiplications per input
 * channel where the direct kernel takes 36. The input windows are transformed (V = Bᵀ d B), each of
 * the 16 transformed positions is a 1x1 convolution of the transformed input by the transformed
 * weights (U = G g Gᵀ, made once, on the first run that takes this path) run by {@link DirectConv}
 * as a GEMM over channel blocks, and the 2x2 outputs come back as Aᵀ M A, with bias, residual and
 * Relu applied there.
 *
 * <p>Exactness: the transforms' coefficients are 0, ±1 and ±1/2, so the only new rounding is in the
 * additions of the transforms; the sums over input channels are in the same order as the direct kernel
 * (ascending), so results do not depend on the thread count either. Measured against the direct kernel
 * and torchvision in the tests (NchwcTest, the whole-model parity tests).
 *
 * <p>Thread safety: {@link Weights} and {@link Tables} are immutable and may be shared; {@link #conv}
 * may run concurrently on distinct outputs and scratch.
 */
public final class Winograd {
    private static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    /** Transformed positions of a 4x4 window. */
    public static final int POSITIONS = 16;
    /** Row a of Bᵀ = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]]: d[BT_P[a]] ∓ d[BT_Q[a]] (+ for a = 1). */
    private static final int[] BT_P = {0, 1, 2, 1};

    private static final int[] BT_Q = {2, 2, 1, 3};
    /**
     * Channels below which {@link #takes} leaves a convolution to the direct kernel: the transforms cost
     * in proportion to C + OC, the products to C·OC. The digits model's 16 -> 16 at 8x8 (batch 540) ran at
     * 0.72-0.84x the direct kernel's speed, 64 -> 64 at 8x8 (batch 64) at 1.02-1.20x
     * (docs/PERFORMANCE.md, Winograd F(2x2, 3x3)).
     */
    static final int MIN_CHANNELS = 64;
    /**
     * Winograd's multiplications over the direct kernel's, above which {@link #takes} keeps the direct
     * kernel. The direct kernel skips the taps that read the zero border, so at small outputs the
     * 2x2 tiles' 16 products per input channel stop paying: 3x3 outputs need 64 against 49 taps, 5x5
     * 144 against 169 (0.85), 7x7 256 against 361 (0.71: measured 1.05-1.41x faster), 56x56 0.46.
     */
    static final double MAX_WORK_RATIO = 0.75;

    private static final int SLACK = 16;
    /** Floats of transformed input and products per group of images ({@link Tables#group}): 4 MB. */
    static final long GROUP_FLOATS = 1L << 20;

    private Winograd() {}

    /**
     * True when {@code g} is a convolution this class runs: group 1, 3x3, stride 1, no dilation, a
     * blocked input, pads of at most 1 (ResNet's 3x3 convolutions outside the stride-2 ones).
     */
    public static boolean applies(ConvGeometry g) {
        return g.group() == 1
                && g.kh() == 3
                && g.kw() == 3
                && g.strideH() == 1
                && g.strideW() == 1
                && g.dilH() == 1
                && g.dilW() == 1
                && g.padT() <= 1
                && g.padL() <= 1
                && g.c() >= L;
    }

    /**
     * True when {@code g} {@link #applies} and pays: {@link #MIN_CHANNELS} in and out, and at most
     * {@link #MAX_WORK_RATIO} of the direct kernel's multiplications.
     */
    public static boolean takes(ConvGeometry g) {
        if (!applies(g) || g.c() < MIN_CHANNELS || g.oc() < MIN_CHANNELS) {
            return false;
        }
        long winograd = 16L * ((g.oh() + 1) / 2) * ((g.ow() + 1) / 2);
        long direct = (long) taps(g.oh(), g.h(), g.padT()) * taps(g.ow(), g.w(), g.padL());
        return winograd <= MAX_WORK_RATIO * direct;
    }

    // along one axis: the taps of a 3-wide stride-1 window that read inside the input, over all outputs
    private static int taps(int outputs, int size, int pad) {
        int taps = 0;
        for (int o = 0; o < outputs; o++) {
            for (int k = 0; k < 3; k++) {
                int i = o - pad + k;
                if (i >= 0 && i < size) {
                    taps++;
                }
            }
        }
        return taps;
    }

    /** The transformed weights: one 1x1 {@link BlockedWeights} per position, and the bias. */
    public static final class Weights {
        final BlockedWeights[] u;
        /** (OCB·L) with zeros past OC, or null. */
        final float[] bias;

        final int oc;
        final int c;

        private Weights(BlockedWeights[] u, float[] bias, int oc, int c) {
            this.u = u;
            this.bias = bias;
            this.oc = oc;
            this.c = c;
        }
    }

    /** w (OC,C,3,3), b (OC) or null -> U = G g Gᵀ per (oc, c), computed in double and rounded once. */
    public static Weights pack(float[] w, float[] b, int oc, int c) {
        if (w.length != oc * c * 9 || b != null && b.length != oc) {
            throw new IllegalArgumentException("weights have " + w.length + " floats and bias "
                    + (b == null ? "none" : b.length + " floats") + ", expected (" + oc + ", " + c + ", 3, 3) and ("
                    + oc + ")");
        }
        // one position at a time through one (OC, C) array: all 16 at once were 16/9 of the weights in
        // garbage at first use (67 MB for resnet18), which the JVM answered by growing its heap
        float[] u = new float[oc * c];
        BlockedWeights[] packed = new BlockedWeights[POSITIONS];
        for (int p = 0; p < POSITIONS; p++) {
            int a = p / 4;
            int col = p % 4;
            for (int o = 0; o < oc; o++) {
                for (int ci = 0; ci < c; ci++) {
                    int base = (o * c + ci) * 9;
                    // row a of G g (1x3), G = [[1,0,0],[1/2,1/2,1/2],[1/2,-1/2,1/2],[0,0,1]]
                    double h0 = gRow(a, w[base], w[base + 3], w[base + 6]);
                    double h1 = gRow(a, w[base + 1], w[base + 4], w[base + 7]);
                    double h2 = gRow(a, w[base + 2], w[base + 5], w[base + 8]);
                    // column col of (G g) Gᵀ
                    u[o * c + ci] = (float) gRow(col, h0, h1, h2);
                }
            }
            packed[p] = BlockedWeights.pack(u, null, oc, c, 1, 1, 1);
        }
        float[] bias = null;
        if (b != null) {
            bias = new float[Nchwc.blocks(oc) * L];
            System.arraycopy(b, 0, bias, 0, oc);
        }
        return new Weights(packed, bias, oc, c);
    }

    // row r of G = [[1,0,0],[1/2,1/2,1/2],[1/2,-1/2,1/2],[0,0,1]] times (g0, g1, g2)
    private static double gRow(int r, double g0, double g1, double g2) {
        return switch (r) {
            case 0 -> g0;
            case 1 -> (g0 + g1 + g2) / 2;
            case 2 -> (g0 - g1 + g2) / 2;
            default -> g2;
        };
    }

    /** What the runs at one input size share: the geometry of the positions' GEMMs and their tables. */
    public static final class Tables {
        private final ConvGeometry shape;
        private final Weights w;
        private final DirectConv.Tables[] gemm;
        private final int th;
        private final int tw;

        private Tables(ConvGeometry g, Weights w) {
            this.shape = g.withBatch(0);
            this.w = w;
            th = (g.oh() + 1) / 2;
            tw = (g.ow() + 1) / 2;
            gemm = new DirectConv.Tables[POSITIONS];
            ConvGeometry pg = gemmGeometry(g, th, tw);
            for (int p = 0; p < POSITIONS; p++) {
                gemm[p] = DirectConv.tables(pg, w.u[p]);
            }
        }

        /** True when these tables serve {@code g} (any batch size) with weights {@code w}. */
        public boolean fits(ConvGeometry g, Weights w) {
            return this.w == w && shape.equals(g.withBatch(0));
        }

        /**
         * Images transformed and multiplied together: as many as keep the group's transformed input and
         * products (16 floats per input and output value of a tile) within {@link #GROUP_FLOATS}, at least
         * one. At 56x56 one image's are already 6.4 MB: the whole of batch 8 (51 MB) ran slower than the
         * direct kernel. At 7x7 an image has 16 tiles, too few for the GEMMs to reuse their weights.
         */
        int group(int n) {
            long perImage = (long) POSITIONS * (Nchwc.blocks(shape.c()) + Nchwc.blocks(shape.oc())) * th * tw * L;
            return (int) Math.max(1, Math.min(n, GROUP_FLOATS / perImage));
        }

        /**
         * Floats of one position's transformed input for a batch of {@code n} (a group of images at a
         * time), with a line of slack: sizes that are a multiple of 4 KiB put the 16 arrays' streams in
         * the same L1 sets.
         */
        public int inputSize(int n) {
            return group(n) * Nchwc.blocks(shape.c()) * th * tw * L + SLACK;
        }

        /** Floats of one position's products for a batch of {@code n}, with a line of slack. */
        public int productSize(int n) {
            return group(n) * Nchwc.blocks(shape.oc()) * th * tw * L + SLACK;
        }
    }

    private static ConvGeometry gemmGeometry(ConvGeometry g, int th, int tw) {
        return new ConvGeometry(g.n(), g.c(), th, tw, g.oc(), 1, 1, 1, 1, 1, 1, 1, 0, 0, th, tw);
    }

    public static Tables tables(ConvGeometry g, Weights w) {
        if (!applies(g) || w.oc != g.oc() || w.c != g.c()) {
            throw new IllegalArgumentException("Winograd weights for (" + w.oc + ", " + w.c + ") do not fit " + g);
        }
        return new Tables(g, w);
    }

    /**
     * x (N,CB,H,W,L), r (N,OCB,OH,OW,L) or null -> y (N,OCB,OH,OW,L) = relu?(conv + b + r). {@code v}:
     * 16 arrays of {@link Tables#inputSize}(N), {@code m}: 16 of {@link Tables#productSize}(N) (scratch).
     */
    public static void conv(
            Tables t,
            ConvGeometry g,
            float[] x,
            float[] r,
            boolean relu,
            float[] y,
            float[][] v,
            float[][] m,
            Parallel par) {
        if (!t.fits(g, t.w)) {
            throw new IllegalArgumentException("tables made for " + t.shape + ", not for " + g);
        }
        for (int p = 0; p < POSITIONS; p++) {
            if (v[p].length < t.inputSize(g.n()) || m[p].length < t.productSize(g.n())) {
                throw new IllegalArgumentException("scratch for position " + p + " has " + v[p].length + " and "
                        + m[p].length + " floats, needs " + t.inputSize(g.n()) + " and " + t.productSize(g.n()));
            }
        }
        int cb = Nchwc.blocks(g.c());
        int ocb = Nchwc.blocks(g.oc());
        int th = t.th;
        int tw = t.tw;
        float[] bias = t.w.bias;
        int group = t.group(g.n());
        int grain = Math.max(1, 64 / Math.max(1, tw));
        for (int n0 = 0; n0 < g.n(); n0 += group) {
            int images = Math.min(group, g.n() - n0);
            int inPlane0 = n0 * cb;
            int outPlane0 = n0 * ocb;
            par.forRange(images * cb * th, grain, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    inputRow(g, x, inPlane0, th, tw, i, v);
                }
            });
            DirectConv.convAll(t.gemm, gemmGeometry(g.withBatch(images), th, tw), v, m, par);
            par.forRange(images * ocb * th, grain, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    outputRow(g, m, bias, r, relu, y, outPlane0, ocb, th, tw, i);
                }
            });
        }
    }

    private static FloatVector at(float[] x, int i, boolean in) {
        return in ? FloatVector.fromArray(S, x, i) : FloatVector.zero(S);
    }

    // one row of tiles (image n of the group, block cb, tile row ty; i = (n·CB + cb)·TH + ty): V = Bᵀ d B,
    // Bᵀ = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]]; row a of Bᵀ d takes two rows of d, so each
    // row of V is made from 8 loads with at most 8 vectors live (named locals: C2 keeps those in
    // registers, an array of vectors is allocated)
    private static void inputRow(ConvGeometry g, float[] x, int plane0, int th, int tw, int i, float[][] v) {
        int ty = i % th;
        int local = i / th; // the input block of the group's image
        int plane = plane0 + local;
        int h = g.h();
        int w = g.w();
        int rowL = w * L;
        int xPlane = plane * h * rowL;
        int iy0 = 2 * ty - g.padT();
        int rowsIn = 0; // bit k: row iy0 + k of the window lies inside the input
        for (int k = 0; k < 4; k++) {
            if (iy0 + k >= 0 && iy0 + k < h) {
                rowsIn |= 1 << k;
            }
        }
        int out = (local * th + ty) * tw * L;
        for (int tx = 0; tx < tw; tx++, out += L) {
            int ix0 = 2 * tx - g.padL();
            boolean c0 = ix0 >= 0 && ix0 < w;
            boolean c1 = ix0 + 1 >= 0 && ix0 + 1 < w;
            boolean c2 = ix0 + 2 >= 0 && ix0 + 2 < w;
            boolean c3 = ix0 + 3 >= 0 && ix0 + 3 < w;
            int r0 = xPlane + iy0 * rowL + ix0 * L;
            for (int a = 0; a < 4; a++) {
                // row a of Bᵀ d is d[BT_P[a]] - d[BT_Q[a]], or their sum for a = 1
                int pr = BT_P[a];
                int qr = BT_Q[a];
                boolean pin = (rowsIn >> pr & 1) != 0;
                boolean qin = (rowsIn >> qr & 1) != 0;
                int pi = r0 + pr * rowL;
                int qi = r0 + qr * rowL;
                FloatVector p0 = at(x, pi, pin && c0), p1 = at(x, pi + L, pin && c1);
                FloatVector p2 = at(x, pi + 2 * L, pin && c2), p3 = at(x, pi + 3 * L, pin && c3);
                FloatVector q0 = at(x, qi, qin && c0), q1 = at(x, qi + L, qin && c1);
                FloatVector q2 = at(x, qi + 2 * L, qin && c2), q3 = at(x, qi + 3 * L, qin && c3);
                FloatVector t0, t1, t2, t3;
                if (a == 1) {
                    t0 = p0.add(q0);
                    t1 = p1.add(q1);
                    t2 = p2.add(q2);
                    t3 = p3.add(q3);
                } else {
                    t0 = p0.sub(q0);
                    t1 = p1.sub(q1);
                    t2 = p2.sub(q2);
                    t3 = p3.sub(q3);
                }
                t0.sub(t2).intoArray(v[a * 4], out);
                t1.add(t2).intoArray(v[a * 4 + 1], out);
                t2.sub(t1).intoArray(v[a * 4 + 2], out);
                t1.sub(t3).intoArray(v[a * 4 + 3], out);
            }
        }
    }

    // one row of output tiles (image n of the group, i = (n·OCB + ob)·TH + ty): Y = Aᵀ M A, Aᵀ =
    // [[1,1,1,0],[0,1,-1,-1]]
    private static void outputRow(
            ConvGeometry g,
            float[][] m,
            float[] bias,
            float[] r,
            boolean relu,
            float[] y,
            int plane0,
            int ocb,
            int th,
            int tw,
            int i) {
        int ty = i % th;
        int local = i / th; // the output block of the group's image
        int ob = local % ocb;
        int plane = plane0 + local;
        int oh = g.oh();
        int ow = g.ow();
        int yPlane = plane * oh * ow * L;
        boolean row1 = 2 * ty + 1 < oh;
        int o = (local * th + ty) * tw * L;
        for (int tx = 0; tx < tw; tx++, o += L) {
            outputTile(
                    m, o, bias, ob * L, r, relu, y, yPlane + (2 * ty * ow + 2 * tx) * L, ow * L, row1, 2 * tx + 1 < ow);
        }
    }

    /*
     * One 2x2 tile of outputs from its 16 products at o: row 0 of Aᵀ M is m0 + m1 + m2 per column, row 1
     * m1 - m2 - m3; then + bias (zero without one), + residual, Relu, stored at yo (+ L for column 1, +
     * rowL for row 1) where the tile lies inside the output. One method with only arrays and numbers
     * for arguments: helpers that took or returned vectors were not inlined into the row loop (C2 judged
     * their call sites cold, or the loop too large), and C2 then boxed every vector that crossed a call,
     * 0.36 GB of garbage per 9 ResNet-18 runs at batch 8 (docs/PERFORMANCE.md, Winograd F(2x2, 3x3)).
     */
    private static void outputTile(
            float[][] m,
            int o,
            float[] bias,
            int bo,
            float[] r,
            boolean relu,
            float[] y,
            int yo,
            int rowL,
            boolean row1,
            boolean col1) {
        FloatVector b = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, bo);
        FloatVector m4 = FloatVector.fromArray(S, m[4], o);
        FloatVector m5 = FloatVector.fromArray(S, m[5], o);
        FloatVector m6 = FloatVector.fromArray(S, m[6], o);
        FloatVector m8 = FloatVector.fromArray(S, m[8], o);
        FloatVector m9 = FloatVector.fromArray(S, m[9], o);
        FloatVector m10 = FloatVector.fromArray(S, m[10], o);
        FloatVector s0 = FloatVector.fromArray(S, m[0], o).add(m4).add(m8);
        FloatVector s1 = FloatVector.fromArray(S, m[1], o).add(m5).add(m9);
        FloatVector s2 = FloatVector.fromArray(S, m[2], o).add(m6).add(m10);
        FloatVector out = s0.add(s1).add(s2).add(b);
        if (r != null) {
            out = out.add(FloatVector.fromArray(S, r, yo));
        }
        if (relu) {
            out = out.max(0f);
        }
        out.intoArray(y, yo);
        if (col1) {
            FloatVector s3 = FloatVector.fromArray(S, m[3], o)
                    .add(FloatVector.fromArray(S, m[7], o))
                    .add(FloatVector.fromArray(S, m[11], o));
            out = s1.sub(s2).sub(s3).add(b);
            if (r != null) {
                out = out.add(FloatVector.fromArray(S, r, yo + L));
            }
            if (relu) {
                out = out.max(0f);
            }
            out.intoArray(y, yo + L);
        }
        if (row1) {
            FloatVector u0 = m4.sub(m8).sub(FloatVector.fromArray(S, m[12], o));
            FloatVector u1 = m5.sub(m9).sub(FloatVector.fromArray(S, m[13], o));
            FloatVector u2 = m6.sub(m10).sub(FloatVector.fromArray(S, m[14], o));
            out = u0.add(u1).add(u2).add(b);
            if (r != null) {
                out = out.add(FloatVector.fromArray(S, r, yo + rowL));
            }
            if (relu) {
                out = out.max(0f);
            }
            out.intoArray(y, yo + rowL);
            if (col1) {
                FloatVector u3 = FloatVector.fromArray(S, m[7], o)
                        .sub(FloatVector.fromArray(S, m[11], o))
                        .sub(FloatVector.fromArray(S, m[15], o));
                out = u1.sub(u2).sub(u3).add(b);
                if (r != null) {
                    out = out.add(FloatVector.fromArray(S, r, yo + rowL + L));
                }
                if (relu) {
                    out = out.max(0f);
                }
                out.intoArray(y, yo + rowL + L);
            }
        }
    }
}
