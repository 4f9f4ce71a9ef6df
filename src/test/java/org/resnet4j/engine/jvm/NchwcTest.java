package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.resnet4j.engine.jvm.kernels.ConvGeometry;
import org.resnet4j.engine.jvm.kernels.ConvKernels;
import org.resnet4j.engine.jvm.kernels.Kernels;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.PoolKernels;
import org.resnet4j.engine.jvm.kernels.PoolKernels.PoolGeometry;
import org.resnet4j.engine.jvm.kernels.nchwc.BlockedPools;
import org.resnet4j.engine.jvm.kernels.nchwc.BlockedWeights;
import org.resnet4j.engine.jvm.kernels.nchwc.DirectConv;
import org.resnet4j.engine.jvm.kernels.nchwc.Nchwc;
import org.resnet4j.engine.jvm.kernels.nchwc.Winograd;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.Tensor;

/** The channel-blocked kernels against the naive oracles, and the blocked engine against the GEMM engine. */
class NchwcTest {
    /** Direct conv (float sums) vs the naive kernel (double sums), relative to max |y|. */
    static final double KERNEL_TOLERANCE = 1e-5;
    /** Whole models: blocked plan vs the GEMM plan, relative to max |logit|. */
    static final double MODEL_TOLERANCE = 1e-5;

    @BeforeAll
    static void vectorApi() {
        Assumptions.assumeTrue(Kernels.blockedLayout(), "the blocked layout needs the Vector API");
    }

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** n, c, h, w, oc, group, k, stride, pad, dilation. */
    static List<int[]> cases() {
        List<int[]> cases = new ArrayList<>();
        int[] channels = {1, 3, 7, 17, 65};
        int[] outs = {1, 8, 17, 33, 65};
        for (int i = 0; i < channels.length; i++) {
            for (int k : new int[] {1, 3, 7}) {
                for (int s : new int[] {1, 2}) {
                    cases.add(new int[] {
                        2, channels[i], 9 + i, 7 + 2 * i, outs[(i + k + s) % outs.length], 1, k, s, k / 2, 1
                    });
                }
            }
        }
        int l = Nchwc.L;
        cases.add(new int[] {1, 17, 13, 13, 17, 1, 3, 1, 0, 1}); // no padding
        cases.add(new int[] {1, 9, 11, 12, 7, 1, 3, 1, 2, 2}); // dilation 2
        cases.add(new int[] {3, 64, 8, 8, 64, 32, 3, 1, 1, 1}); // ResNeXt-like: 2 channels per group
        cases.add(new int[] {1, 64, 9, 9, 64, 32, 3, 2, 1, 1});
        cases.add(new int[] {1, 96, 7, 7, 96, 3, 3, 1, 1, 1}); // 32 channels per group
        // groups of L/2 + 1 channels in and L/2 + 3 out: at every width, a group straddles two blocks
        cases.add(new int[] {2, 3 * (l / 2 + 1), 6, 6, 3 * (l / 2 + 3), 3, 1, 1, 0, 1});
        cases.add(new int[] {1, 3, 1, 1, 5, 1, 1, 1, 0, 1}); // 1x1 input
        cases.add(new int[] {65, 16, 8, 8, 16, 1, 3, 1, 1, 1}); // digits-like: many small images
        cases.add(new int[] {2, 16, 1, 1, 40, 1, 3, 1, 1, 1}); // 3x3 on 1x1: one tap of nine reads the input
        cases.add(new int[] {1, 9, 2, 3, 8, 1, 1, 1, 1, 1}); // border pixels that read no input at all
        cases.add(new int[] {3, 24, 2, 2, 64, 1, 3, 1, 1, 1}); // 2x2: every tile at the border
        // tiles across images (the batch's pixels are one sequence), output blocks counted in L so that
        // every width runs every tile shape (DirectConv.pixelsPerTile): 4 blocks x 2 pixels (4 at 512 bits)
        // over 1x1 outputs and single ones left (5 blocks: a 4-block and a 1-block tile; 7 images: 4 + 3
        // singles at 512 bits), 3 x 3 and 2 x 4 (2 x 8 at 512 bits, and 4 singles) over 2x2 outputs, 1 x 6
        // (1 x 12 at 512 bits, and 2 singles) over 1x2 outputs
        cases.add(new int[] {5, 4 * l, 1, 1, 5 * l, 1, 3, 1, 1, 1});
        cases.add(new int[] {7, 2 * l, 1, 1, 4 * l, 1, 1, 1, 0, 1});
        cases.add(new int[] {3, l, 3, 3, 3 * l, 1, 3, 2, 1, 1});
        cases.add(new int[] {3, 2 * l, 2, 2, 2 * l, 1, 3, 1, 1, 1});
        cases.add(new int[] {7, l, 1, 2, l, 1, 3, 1, 1, 1});
        // taps that no pixel reads inside the input are cut off (DirectConv.tables): 3x3 stride 2 on 2x2
        // (4 taps), 7x7 stride 2 on 3x3 (5x5), dilation 2 with pad 2 on 1x1 (the centre); dilation 2 with
        // pad 1 cannot move its pads with the taps and keeps all nine
        cases.add(new int[] {2, 24, 2, 2, 40, 1, 3, 2, 1, 1});
        cases.add(new int[] {1, 16, 3, 3, 16, 1, 7, 2, 3, 1});
        cases.add(new int[] {2, 8, 1, 1, 8, 1, 3, 1, 2, 2});
        cases.add(new int[] {1, 8, 3, 3, 8, 1, 3, 1, 1, 2});
        return cases;
    }

    /** The convolution a case of {@link #cases} describes: square kernel, stride, pad and dilation. */
    static ConvGeometry geometry(int[] c) {
        int h = c[2], w = c[3], k = c[6], s = c[7], p = c[8], d = c[9];
        int oh = (h + 2 * p - (k - 1) * d - 1) / s + 1;
        int ow = (w + 2 * p - (k - 1) * d - 1) / s + 1;
        return new ConvGeometry(c[0], c[1], h, w, c[4], c[5], k, k, s, s, d, d, p, p, oh, ow);
    }

    @Test
    void directConvMatchesTheNaiveOracleOnOddShapes() {
        Random rnd = new Random(14);
        try (Parallel one = new Parallel(1);
                Parallel three = new Parallel(3)) {
            for (int[] c : cases()) {
                ConvGeometry g = geometry(c);
                int n = g.n(), ch = g.c(), oc = g.oc(), grp = g.group(), k = g.kh(), oh = g.oh(), ow = g.ow();
                ConvData d0 = ConvData.random(rnd, g, one);
                float[] xb = d0.xb, rb = d0.rb, want = d0.want;
                BlockedWeights pw = BlockedWeights.pack(d0.w, d0.b, oc, ch, grp, k, k);
                float[] y1 = new float[rb.length];
                float[] y3 = new float[rb.length];
                // tables made for another batch size serve this one: they hold no per-image offsets
                DirectConv.Tables t = DirectConv.tables(g.withBatch(n + 2), pw);
                float[] border = new float[t.scratchSize(n)];
                DirectConv.conv(g, xb, pw, rb, true, y1, border, one);
                DirectConv.conv(t, g, xb, rb, true, y3, border, three);
                String what = "conv " + java.util.Arrays.toString(c);
                assertArrayEquals(y1, y3, what + ": 1 vs 3 threads must be bitwise equal");
                float[] got = new float[want.length];
                Nchwc.fromBlocked(y1, n, oc, oh, ow, got, one);
                assertClose(what, want, got, KERNEL_TOLERANCE);
                assertPaddedLanesZero(what, y1, oc, oh, ow);
            }
        }
    }

    @Test
    void directConvTablesServeOnlyTheirInputSize() {
        int oc = BlockedWeights.MAX_TILE * Nchwc.L;
        BlockedWeights pw = BlockedWeights.pack(new float[oc * 16 * 9], null, oc, 16, 1, 3, 3);
        ConvGeometry g = new ConvGeometry(1, 16, 5, 5, oc, 1, 3, 3, 1, 1, 1, 1, 1, 1, 5, 5);
        ConvGeometry wider = new ConvGeometry(1, 16, 5, 6, oc, 1, 3, 3, 1, 1, 1, 1, 1, 1, 5, 6);
        DirectConv.Tables t = DirectConv.tables(g, pw);
        assertTrue(t.fits(g.withBatch(7), pw), "tables for batch 1 must serve batch 7");
        assertFalse(t.fits(wider, pw), "tables for 5x5 must not serve 5x6");
        assertFalse(
                t.fits(g, BlockedWeights.pack(new float[oc * 16 * 9], null, oc, 16, 1, 3, 3)),
                "tables must not serve another weights object");
        // a zero-bordered 7x7 copy of each block of the 16 input channels (4, 2 or 1 blocks of L)
        assertEquals(3 * Nchwc.blocks(16) * 7 * 7 * Nchwc.L, t.scratchSize(3), "scratch floats for batch 3");
        try (Parallel one = new Parallel(1)) {
            float[] x = new float[Nchwc.blocks(16) * 5 * 6 * Nchwc.L];
            float[] y = new float[Nchwc.blocks(oc) * 5 * 6 * Nchwc.L];
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> DirectConv.conv(t, wider, x, null, false, y, new float[t.scratchSize(1) * 2], one));
            assertTrue(e.getMessage().startsWith("tables made for"), e.getMessage());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> DirectConv.tables(new ConvGeometry(1, 8, 5, 5, oc, 1, 3, 3, 1, 1, 1, 1, 1, 1, 5, 5), pw));
    }

    /**
     * Tables cut a convolution to the taps its pixels read inside the input, and the cut convolution
     * gives the very floats of the convolution written with only those taps: a 3x3 with pad 1 on a 1x1
     * input is bitwise the 1x1 convolution with its centre weights, a 3x3 stride 2 on 2x2 the 2x2
     * convolution with its lower-right taps and no padding.
     */
    @Test
    void directConvRunsOnlyTheTapsItReads() {
        Random rnd = new Random(15);
        // as cases(), then: taps run, first kept tap (ky = kx), kept per axis
        int[][] cases = {
            {3, 24, 1, 1, 40, 1, 3, 1, 1, 1, 1, 1, 1},
            {2, 16, 2, 2, 40, 1, 3, 2, 1, 1, 4, 1, 2},
            {1, 16, 3, 3, 16, 1, 7, 2, 3, 1, 25, 1, 5},
            {1, 16, 6, 6, 16, 1, 3, 1, 1, 1, 9, 0, 3}, // every tap read by some pixel: nothing cut
            {1, 8, 3, 3, 8, 1, 3, 1, 1, 2, 9, 0, 3}, // dilation 2, pad 1: the pads cannot move
        };
        try (Parallel one = new Parallel(1)) {
            for (int[] c : cases) {
                ConvGeometry g = geometry(c);
                int n = g.n(),
                        ch = g.c(),
                        h = g.h(),
                        w = g.w(),
                        oc = g.oc(),
                        k = g.kh(),
                        s = g.strideH(),
                        p = g.padT(),
                        d = g.dilH(),
                        oh = g.oh(),
                        ow = g.ow();
                String what = java.util.Arrays.toString(c);
                ConvData d0 = ConvData.random(rnd, g, one);
                BlockedWeights pw = BlockedWeights.pack(d0.w, d0.b, oc, ch, 1, k, k);
                DirectConv.Tables t = DirectConv.tables(g, pw);
                assertEquals(c[10], t.taps(), what + ": taps run");
                float[] got = new float[d0.rb.length];
                DirectConv.conv(t, g, d0.xb, d0.rb, true, got, new float[t.scratchSize(n)], one);
                // the same convolution written by hand with the kept taps only
                int k0 = c[11], kk = c[12];
                float[] wCut = new float[oc * ch * kk * kk];
                for (int o = 0; o < oc * ch; o++) {
                    for (int ky = 0; ky < kk; ky++) {
                        for (int kx = 0; kx < kk; kx++) {
                            wCut[(o * kk + ky) * kk + kx] = d0.w[(o * k + k0 + ky) * k + k0 + kx];
                        }
                    }
                }
                ConvGeometry cut =
                        new ConvGeometry(n, ch, h, w, oc, 1, kk, kk, s, s, d, d, p - k0 * d, p - k0 * d, oh, ow);
                BlockedWeights cw = BlockedWeights.pack(wCut, d0.b, oc, ch, 1, kk, kk);
                DirectConv.Tables ct = DirectConv.tables(cut, cw);
                assertEquals(kk * kk, ct.taps(), what + ": the hand-cut convolution is cut no further");
                float[] want = new float[d0.rb.length];
                DirectConv.conv(ct, cut, d0.xb, d0.rb, true, want, new float[ct.scratchSize(n)], one);
                assertArrayEquals(want, got, what + ": the cut convolution must be bitwise the hand-cut one");
            }
        }
    }

    /**
     * n, c, h, w, oc, pad: 3x3 stride-1 convolutions for Winograd's F(2x2, 3x3), channels counted in L:
     * Winograd takes a blocked input only, at least one block of L channels.
     */
    static List<int[]> winogradCases() {
        int l = Nchwc.L;
        List<int[]> cases = new ArrayList<>();
        cases.add(new int[] {1, l, 14, 14, l, 1}); // one block in, one out, even output
        cases.add(new int[] {2, 2 * l + 1, 15, 13, 4 * l + 1, 1}); // partial blocks, odd output: half-used edge tiles
        cases.add(new int[] {3, 8 * l + 1, 9, 11, 5 * l, 1}); // 3 images, 4-block and 1-block weight tiles
        cases.add(new int[] {1, l + l / 2, 16, 17, 5, 0}); // no padding: 14x15 output
        cases.add(new int[] {2, l + 1, 3, 3, 13, 1}); // a single 2x2 tile row, border on all sides
        cases.add(new int[] {1, 3 * l, 3, 4, l, 0}); // no padding, a 1x2 output: one tile, three outputs unused
        cases.add(new int[] {2, 65, 33, 33, 65, 1}); // 0.6-0.7 M floats of transforms per image: one image per group
        cases.add(new int[] {2, 64, 20, 20, 64, 1}); // both images in one group: the GEMMs run 2 x 100 tiles
        return cases;
    }

    @Test
    void winogradMatchesTheNaiveOracle() {
        Random rnd = new Random(23);
        try (Parallel one = new Parallel(1);
                Parallel three = new Parallel(3)) {
            for (int[] c : winogradCases()) {
                int n = c[0], ch = c[1], h = c[2], w = c[3], oc = c[4], p = c[5];
                int oh = h + 2 * p - 2;
                int ow = w + 2 * p - 2;
                ConvGeometry g = new ConvGeometry(n, ch, h, w, oc, 1, 3, 3, 1, 1, 1, 1, p, p, oh, ow);
                String what = "winograd " + java.util.Arrays.toString(c);
                assertTrue(Winograd.applies(g), what + " must be a Winograd convolution");
                ConvData d0 = ConvData.random(rnd, g, one);
                float[] x = d0.x, wt = d0.w, xb = d0.xb, rb = d0.rb, want = d0.want;
                Winograd.Weights ww = Winograd.pack(wt, d0.b, oc, ch);
                // tables made for another batch size serve this one
                Winograd.Tables t = Winograd.tables(g.withBatch(n + 1), ww);
                float[][] v = new float[Winograd.POSITIONS][];
                float[][] m = new float[Winograd.POSITIONS][];
                for (int i = 0; i < Winograd.POSITIONS; i++) {
                    // scratch from a pool may be longer than asked for
                    v[i] = new float[t.inputSize(n) + 3];
                    m[i] = new float[t.productSize(n) + 5];
                }
                float[] y1 = new float[rb.length];
                float[] y3 = new float[rb.length];
                java.util.Arrays.fill(y3, Float.NaN); // every element must be written
                Winograd.conv(t, g, xb, rb, true, y1, v, m, one);
                Winograd.conv(t, g, xb, rb, true, y3, v, m, three);
                assertArrayEquals(y1, y3, what + ": 1 vs 3 threads must be bitwise equal");
                float[] got = new float[want.length];
                Nchwc.fromBlocked(y1, n, oc, oh, ow, got, one);
                assertClose(what, want, got, KERNEL_TOLERANCE);
                assertPaddedLanesZero(what, y1, oc, oh, ow);
                // without bias, residual or Relu: the plain convolution
                Winograd.Weights nb = Winograd.pack(wt, null, oc, ch);
                float[] y0 = new float[rb.length];
                Winograd.conv(Winograd.tables(g, nb), g, xb, null, false, y0, v, m, one);
                float[] plain = new float[want.length];
                ConvKernels.naive(g, x, wt, null, plain);
                Nchwc.fromBlocked(y0, n, oc, oh, ow, got, one);
                assertClose(what + " without bias", plain, got, KERNEL_TOLERANCE);
            }
        }
    }

    @Test
    void winogradTakesOnlyWhatItComputes() {
        ConvGeometry big = new ConvGeometry(1, 64, 56, 56, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1, 56, 56);
        assertTrue(Winograd.takes(big), "ResNet's 64->64 3x3 at 56x56");
        assertTrue(
                Winograd.takes(new ConvGeometry(8, 512, 7, 7, 512, 1, 3, 3, 1, 1, 1, 1, 1, 1, 7, 7)),
                "ResNet's last stage at 7x7: 256 products per channel pair against 361 taps");
        assertTrue(
                Winograd.takes(new ConvGeometry(1, 64, 14, 14, 64, 1, 3, 3, 1, 1, 1, 1, 0, 0, 12, 12)),
                "no padding: 576 products against 1296 taps");
        // the direct kernel skips the taps on the zero border: at 5x5 outputs 144 products against 169 taps
        for (int size : new int[] {1, 2, 3, 5}) {
            ConvGeometry small = new ConvGeometry(64, 64, size, size, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1, size, size);
            assertFalse(Winograd.takes(small), size + "x" + size + " outputs stay on the direct kernel");
            assertTrue(Winograd.applies(small), size + "x" + size + " is computable, only not worth it");
        }
        assertFalse(
                Winograd.takes(new ConvGeometry(540, 16, 8, 8, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8)),
                "16 channels (the digits model): the transforms cost more than they save");
        assertFalse(
                Winograd.applies(new ConvGeometry(1, 64, 56, 56, 64, 1, 3, 3, 2, 2, 1, 1, 1, 1, 28, 28)), "stride 2");
        assertFalse(
                Winograd.applies(new ConvGeometry(1, 64, 56, 56, 64, 32, 3, 3, 1, 1, 1, 1, 1, 1, 56, 56)), "groups");
        assertFalse(
                Winograd.applies(new ConvGeometry(1, 64, 56, 56, 64, 1, 3, 3, 1, 1, 2, 2, 2, 2, 56, 56)), "dilation");
        assertFalse(Winograd.applies(new ConvGeometry(1, 64, 56, 56, 64, 1, 1, 1, 1, 1, 1, 1, 0, 0, 56, 56)), "1x1");
        assertFalse(
                Winograd.applies(new ConvGeometry(1, 3, 56, 56, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1, 56, 56)),
                "fewer input channels than a block (a plain input)");
        Winograd.Weights ww = Winograd.pack(new float[64 * 64 * 9], null, 64, 64);
        Winograd.Tables t = Winograd.tables(big, ww);
        assertTrue(t.fits(big.withBatch(8), ww), "tables for batch 1 must serve batch 8");
        assertFalse(
                t.fits(new ConvGeometry(1, 64, 56, 57, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1, 56, 57), ww),
                "tables for 56x56 must not serve 56x57");
        assertThrows(
                IllegalArgumentException.class,
                () -> Winograd.tables(new ConvGeometry(1, 32, 56, 56, 64, 1, 3, 3, 1, 1, 1, 1, 1, 1, 56, 56), ww));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Winograd.pack(new float[64 * 64], null, 64, 64));
        assertTrue(e.getMessage().contains("expected (64, 64, 3, 3)"), e.getMessage());
    }

    @Test
    void plainInputConvMatchesTheNaiveOracle() {
        Random rnd = new Random(15);
        int tile = BlockedWeights.MAX_TILE * Nchwc.L;
        // n, c, h, w, oc, k, stride, pad: a stem, odd sizes, one channel, no padding, ceil-like trailing windows
        int[][] cases = {
            {1, 3, 37, 29, tile * 2, 7, 2, 3},
            {2, 1, 9, 8, tile, 3, 1, 1},
            {3, Nchwc.L - 1, 11, 13, tile, 3, 2, 0},
            {1, 2, 5, 5, tile * 3, 1, 1, 0},
            // output blocks that do not make whole 4-block tiles: 2, 3, 4 + 1, one partial block
            {5, 1, 8, 8, 2 * Nchwc.L, 3, 1, 1},
            {2, 3, 7, 9, 3 * Nchwc.L, 3, 2, 1},
            {1, 3, 11, 11, 5 * Nchwc.L, 7, 2, 3},
            {3, 2, 4, 5, Nchwc.L - 3, 3, 1, 1}
        };
        try (Parallel one = new Parallel(1);
                Parallel three = new Parallel(3)) {
            for (int[] c : cases) {
                int n = c[0], ch = c[1], h = c[2], w = c[3], oc = c[4], k = c[5], s = c[6], p = c[7];
                int oh = (h + 2 * p - k) / s + 1;
                int ow = (w + 2 * p - k) / s + 1;
                ConvGeometry g = new ConvGeometry(n, ch, h, w, oc, 1, k, k, s, s, 1, 1, p, p, oh, ow);
                assertTrue(DirectConv.takesPlainInput(ch, 1));
                float[] x = random(rnd, n * ch * h * w);
                float[] wt = random(rnd, oc * ch * k * k);
                float[] b = random(rnd, oc);
                float[] want = new float[n * oc * oh * ow];
                ConvKernels.naive(g, x, wt, b, want);
                for (int i = 0; i < want.length; i++) {
                    want[i] = Math.max(0f, want[i]);
                }
                BlockedWeights pw = BlockedWeights.packPlainInput(wt, b, oc, ch, k, k);
                float[] y1 = new float[n * Nchwc.blocks(oc) * oh * ow * Nchwc.L];
                float[] y3 = new float[y1.length];
                DirectConv.Tables t = DirectConv.tables(g, pw);
                float[] border = new float[t.scratchSize(n)];
                DirectConv.conv(t, g, x, null, true, y1, border, one);
                DirectConv.conv(t, g, x, null, true, y3, border, three);
                String what = "plain-input conv " + java.util.Arrays.toString(c);
                assertArrayEquals(y1, y3, what + ": 1 vs 3 threads must be bitwise equal");
                float[] got = new float[want.length];
                Nchwc.fromBlocked(y1, n, oc, oh, ow, got, one);
                assertClose(what, want, got, KERNEL_TOLERANCE);
            }
        }
    }

    @Test
    void blockedPoolsMatchThePlainKernels() {
        Random rnd = new Random(3);
        try (Parallel par = new Parallel(2)) {
            for (int[] c : new int[][] {{2, 17, 9, 11, 3, 2, 1}, {1, 64, 112, 112, 3, 2, 1}, {3, 7, 5, 5, 2, 1, 0}}) {
                int n = c[0], ch = c[1], h = c[2], w = c[3], k = c[4], s = c[5], p = c[6];
                int oh = (h + 2 * p - k) / s + 1;
                int ow = (w + 2 * p - k) / s + 1;
                PoolGeometry g = new PoolGeometry(n, ch, h, w, k, k, s, s, 1, 1, p, p, p, p, oh, ow);
                float[] x = random(rnd, n * ch * h * w);
                float[] want = new float[n * ch * oh * ow];
                PoolKernels.maxPool(g, x, want, par);
                float[] xb = new float[n * Nchwc.blocks(ch) * h * w * Nchwc.L];
                Nchwc.toBlocked(x, n, ch, h, w, xb, par);
                float[] yb = new float[n * Nchwc.blocks(ch) * oh * ow * Nchwc.L];
                BlockedPools.maxPool(g, xb, yb, par);
                float[] got = new float[want.length];
                Nchwc.fromBlocked(yb, n, ch, oh, ow, got, par);
                assertArrayEquals(want, got, "max pool " + java.util.Arrays.toString(c));
                float[] mean = new float[n * ch];
                BlockedPools.global(xb, n, ch, h * w, false, mean, par);
                for (int i = 0; i < n * ch; i++) {
                    float acc = 0;
                    for (int j = 0; j < h * w; j++) {
                        acc += x[i * h * w + j];
                    }
                    assertTrue(
                            Math.abs(acc / (h * w) - mean[i]) <= 1e-5f * Math.max(1f, Math.abs(mean[i])),
                            "global average pool " + java.util.Arrays.toString(c) + " plane " + i);
                }
            }
        }
    }

    /**
     * A convolution's random input, weights, bias and residual, the input and residual blocked, and the
     * naive oracle's relu(conv + b + residual).
     */
    record ConvData(float[] x, float[] w, float[] b, float[] want, float[] xb, float[] rb) {
        static ConvData random(Random rnd, ConvGeometry g, Parallel par) {
            int n = g.n(), ch = g.c(), oc = g.oc(), oh = g.oh(), ow = g.ow();
            float[] x = NchwcTest.random(rnd, n * ch * g.h() * g.w());
            float[] w = NchwcTest.random(rnd, oc * (ch / g.group()) * g.kh() * g.kw());
            float[] b = NchwcTest.random(rnd, oc);
            float[] res = NchwcTest.random(rnd, n * oc * oh * ow);
            float[] want = new float[n * oc * oh * ow];
            ConvKernels.naive(g, x, w, b, want);
            for (int i = 0; i < want.length; i++) {
                want[i] = Math.max(0f, want[i] + res[i]);
            }
            float[] xb = new float[n * Nchwc.blocks(ch) * g.h() * g.w() * Nchwc.L];
            Nchwc.toBlocked(x, n, ch, g.h(), g.w(), xb, par);
            float[] rb = new float[n * Nchwc.blocks(oc) * oh * ow * Nchwc.L];
            Nchwc.toBlocked(res, n, oc, oh, ow, rb, par);
            return new ConvData(x, w, b, want, xb, rb);
        }
    }

    /** Padded lanes of a blocked output stay zero, so the next kernel can trust them. */
    static void assertPaddedLanesZero(String what, float[] y, int oc, int oh, int ow) {
        for (int i = 0; i < y.length; i++) {
            if ((i / (oh * ow * Nchwc.L) % Nchwc.blocks(oc)) * Nchwc.L + i % Nchwc.L >= oc) {
                assertTrue(y[i] == 0f, what + ": padded lane " + i + " is " + y[i]);
            }
        }
    }

    static void assertClose(String what, float[] want, float[] got, double tol) {
        OneNode.assertClose(
                what, Tensor.of(new int[] {want.length}, want), Tensor.of(new int[] {got.length}, got), tol);
    }

    static ModelProto preset(String arch, int classes) {
        ResNetSpec spec = Presets.get(arch).withNumClasses(classes);
        ResNetGraph g = GraphBuilder.build(spec, false);
        return ModelAssembler.assemble(g, RandomInit.weights(g, 5), Onnx.DEFAULT_OPSET, "test");
    }

    @Test
    void blockedEngineMatchesTheGemmEngine() {
        for (String arch : new String[] {"resnet18", "resnext50_32x4d"}) {
            ModelProto m = preset(arch, 10);
            for (int size : arch.equals("resnet18") ? new int[] {32, 57} : new int[] {33}) {
                Tensor x = RandomInit.normal(9, 2, 3, size, size);
                try (JavaEngine blocked = new JavaEngine(m, 2, Kernels.defaultSgemm(), true, true);
                        JavaEngine gemm = new JavaEngine(m, 1, Kernels.defaultSgemm(), true, false)) {
                    assertTrue(blocked.describe().contains("nchwc"), blocked.describe());
                    float[] want = gemm.run(Map.of("input", x)).get("logits").toArray();
                    float[] got = blocked.run(Map.of("input", x)).get("logits").toArray();
                    assertClose(arch + " at " + size, want, got, MODEL_TOLERANCE);
                }
            }
        }
    }
}
