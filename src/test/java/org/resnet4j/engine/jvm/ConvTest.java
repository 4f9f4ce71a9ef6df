package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resnet4j.engine.jvm.kernels.BlockedSgemm;
import org.resnet4j.engine.jvm.kernels.ConvGeometry;
import org.resnet4j.engine.jvm.kernels.ConvKernels;
import org.resnet4j.engine.jvm.kernels.ConvSource;
import org.resnet4j.engine.jvm.kernels.NaiveSgemm;
import org.resnet4j.engine.jvm.kernels.PackedA;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.Sgemm;
import org.resnet4j.engine.jvm.kernels.VectorSgemm;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.tensor.Tensor;

class ConvTest {
    /** im2col + blocked GEMM (float sums) vs the naive kernel (double sums), relative to max |y|. */
    static final double KERNEL_TOLERANCE = 1e-5;

    static Tensor x3x3() {
        return OneNode.t(new int[] {1, 1, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void handComputedValidWithBias() {
        Tensor y = OneNode.of("Conv")
                .input("x", x3x3())
                .floatInit("w", OneNode.t(new int[] {1, 1, 2, 2}, 1, 1, 1, 1))
                .floatInit("b", OneNode.t(new int[] {1}, 1))
                .runJava();
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        assertArrayEquals(new float[] {13, 17, 25, 29}, y.toArray());
    }

    @Test
    void handComputedPaddedStrided() {
        // windows start at (-1,-1), (-1,1), (1,-1), (1,1): 1, 2+3, 4+7, 5+6+8+9
        Tensor y = OneNode.of("Conv")
                .input("x", x3x3())
                .floatInit("w", OneNode.t(new int[] {1, 1, 2, 2}, 1, 1, 1, 1))
                .ints("pads", 1, 1, 1, 1)
                .ints("strides", 2, 2)
                .runJava();
        assertArrayEquals(new float[] {1, 5, 11, 28}, y.toArray());
    }

    @Test
    void handComputedGroupsAndDilation() {
        // two groups, one channel each; dilation 2 picks the corners of the 3x3 input
        Tensor x = OneNode.t(new int[] {1, 2, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90);
        Tensor y = OneNode.of("Conv")
                .input("x", x)
                .floatInit("w", OneNode.t(new int[] {2, 1, 2, 2}, 1, 1, 1, 1, 1, 0, 0, -1))
                .i("group", 2)
                .ints("dilations", 2, 2)
                .runJava();
        assertArrayEquals(new float[] {1 + 3 + 7 + 9, 10 - 90}, y.toArray());
    }

    /** One randomised case: x (n,c,h,w), weight (oc, c/g, kh, kw). */
    record Case(
            int n,
            int c,
            int h,
            int w,
            int oc,
            int g,
            int kh,
            int kw,
            int[] strides,
            int[] dil,
            int[] pads,
            String autoPad,
            boolean bias) {
        boolean fits() {
            if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
                return true;
            }
            int[] p = autoPad.equals("VALID") ? new int[4] : pads;
            return h + p[0] + p[2] >= (kh - 1) * dil[0] + 1 && w + p[1] + p[3] >= (kw - 1) * dil[1] + 1;
        }

        OneNode node(long seed) {
            OneNode node = OneNode.of("Conv")
                    .input("x", seed, n, c, h, w)
                    .floatInit("w", RandomInit.normal(seed + 1, oc, c / g, kh, kw));
            if (bias) {
                node.floatInit("b", RandomInit.normal(seed + 2, oc));
            }
            node.i("group", g)
                    .ints("strides", strides[0], strides[1])
                    .ints("dilations", dil[0], dil[1])
                    .ints("kernel_shape", kh, kw);
            if (autoPad.equals("NOTSET")) {
                node.ints("pads", pads[0], pads[1], pads[2], pads[3]);
            } else {
                node.s("auto_pad", autoPad);
            }
            return node;
        }

        @Override
        public String toString() {
            return String.format(
                    "x[%d,%d,%d,%d] w[%d,%d,%d,%d] g=%d s=%s d=%s pads=%s %s bias=%s",
                    n,
                    c,
                    h,
                    w,
                    oc,
                    c / g,
                    kh,
                    kw,
                    g,
                    java.util.Arrays.toString(strides),
                    java.util.Arrays.toString(dil),
                    java.util.Arrays.toString(pads),
                    autoPad,
                    bias);
        }
    }

    static final int[] SIZES = {1, 3, 7, 17};
    static final String[] AUTO_PADS = {"NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};

    static Case randomCase(Random r) {
        int g = new int[] {1, 1, 2, 3}[r.nextInt(4)];
        int c = g * new int[] {1, 3, 7}[r.nextInt(3)];
        int oc = g * new int[] {1, 3, 5}[r.nextInt(3)];
        int kh = new int[] {1, 3, 5, 7}[r.nextInt(4)];
        int kw = r.nextBoolean() ? kh : new int[] {1, 2, 3}[r.nextInt(3)];
        int[] strides = {1 + r.nextInt(3), 1 + r.nextInt(2)};
        int[] dil = {1 + r.nextInt(2), r.nextInt(4) == 0 ? 3 : 1};
        int[] pads = {r.nextInt(3), r.nextInt(2), r.nextInt(3), r.nextInt(4)};
        String autoPad = AUTO_PADS[r.nextInt(AUTO_PADS.length)];
        if (autoPad.startsWith("SAME")) {
            dil = new int[] {1, 1}; // ONNX Runtime refuses dilations with SAME_*: no reference to compare with
        }
        return new Case(
                1 + r.nextInt(2),
                c,
                SIZES[r.nextInt(4)],
                SIZES[r.nextInt(4)],
                oc,
                g,
                kh,
                kw,
                strides,
                dil,
                pads,
                autoPad,
                r.nextBoolean());
    }

    @Test
    void randomisedAgainstOnnxRuntime() {
        Random r = new Random(41);
        int done = 0;
        while (done < 60) {
            Case c = randomCase(r);
            if (!c.fits()) {
                continue;
            }
            c.node(1000 + done).checkAgainstOrt(c.toString());
            done++;
        }
    }

    @Test
    void resNetShapesAgainstOnnxRuntime() {
        Case[] cases = {
            new Case(
                    2,
                    3,
                    17,
                    17,
                    8,
                    1,
                    7,
                    7,
                    new int[] {2, 2},
                    new int[] {1, 1},
                    new int[] {3, 3, 3, 3},
                    "NOTSET",
                    false),
            new Case(
                    1, 8, 7, 7, 8, 1, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, "NOTSET", true),
            new Case(
                    1,
                    16,
                    7,
                    7,
                    32,
                    1,
                    1,
                    1,
                    new int[] {2, 2},
                    new int[] {1, 1},
                    new int[] {0, 0, 0, 0},
                    "NOTSET",
                    false),
            new Case(
                    1,
                    16,
                    9,
                    9,
                    16,
                    4,
                    3,
                    3,
                    new int[] {2, 2},
                    new int[] {1, 1},
                    new int[] {1, 1, 1, 1},
                    "NOTSET",
                    false),
            new Case(
                    3,
                    65,
                    3,
                    3,
                    17,
                    1,
                    1,
                    1,
                    new int[] {1, 1},
                    new int[] {1, 1},
                    new int[] {0, 0, 0, 0},
                    "NOTSET",
                    true),
            new Case(
                    1,
                    6,
                    17,
                    7,
                    6,
                    6,
                    3,
                    3,
                    new int[] {1, 1},
                    new int[] {1, 1},
                    new int[] {0, 1, 2, 0},
                    "NOTSET",
                    true),
        };
        long seed = 7;
        for (Case c : cases) {
            c.node(seed++).checkAgainstOrt(c.toString());
        }
    }

    @Test
    void im2colGemmMatchesNaiveKernel() {
        Random r = new Random(5);
        try (Parallel par = new Parallel(3)) {
            for (int t = 0; t < 40; t++) {
                Case c = randomCase(r);
                if (!c.fits() || !c.autoPad().equals("NOTSET")) {
                    t--;
                    continue;
                }
                int oh = (c.h() + c.pads()[0] + c.pads()[2] - (c.kh() - 1) * c.dil()[0] - 1) / c.strides()[0] + 1;
                int ow = (c.w() + c.pads()[1] + c.pads()[3] - (c.kw() - 1) * c.dil()[1] - 1) / c.strides()[1] + 1;
                int oc = t % 5 == 0 ? 65 * c.g() : c.oc();
                ConvGeometry g = new ConvGeometry(
                        c.n(),
                        c.c(),
                        c.h(),
                        c.w(),
                        oc,
                        c.g(),
                        c.kh(),
                        c.kw(),
                        c.strides()[0],
                        c.strides()[1],
                        c.dil()[0],
                        c.dil()[1],
                        c.pads()[0],
                        c.pads()[1],
                        oh,
                        ow);
                float[] x = RandomInit.normal(t, c.n(), c.c(), c.h(), c.w()).toArray();
                float[] w = RandomInit.normal(t + 100, oc, c.c() / c.g(), c.kh(), c.kw())
                        .toArray();
                float[] b = c.bias() ? RandomInit.normal(t + 200, oc).toArray() : null;
                int[] shape = {c.n(), oc, oh, ow};
                float[] ref = new float[c.n() * oc * oh * ow];
                ConvKernels.naive(g, x, w, b, ref);
                float[] y = new float[ref.length];
                java.util.Arrays.fill(y, Float.NaN); // kernels must overwrite dirty buffers
                float[] col = new float[Math.max(1, ConvKernels.scratchSize(g))];
                java.util.Arrays.fill(col, Float.NaN);
                ConvKernels.im2colGemm(g, x, w, b, y, col, BlockedSgemm.INSTANCE, par);
                OneNode.assertClose("conv-kernel " + g, Tensor.of(shape, ref), Tensor.of(shape, y), KERNEL_TOLERANCE);
            }
        }
    }

    @Test
    void packedConvMatchesNaiveKernelOnEveryGemm() {
        // the load-time path: packed weights, implicit im2col (vector) or im2col (scalar), bias + residual + relu fused
        Random r = new Random(6);
        Sgemm[] gemms = {VectorSgemm.INSTANCE, BlockedSgemm.INSTANCE, NaiveSgemm.INSTANCE};
        try (Parallel par = new Parallel(2)) {
            for (int t = 0; t < 60; t++) {
                Case c = randomCase(r);
                if (!c.fits() || !c.autoPad().equals("NOTSET")) {
                    t--;
                    continue;
                }
                int oh = (c.h() + c.pads()[0] + c.pads()[2] - (c.kh() - 1) * c.dil()[0] - 1) / c.strides()[0] + 1;
                int ow = (c.w() + c.pads()[1] + c.pads()[3] - (c.kw() - 1) * c.dil()[1] - 1) / c.strides()[1] + 1;
                int oc = t % 5 == 0 ? 65 * c.g() : c.oc();
                ConvGeometry g = new ConvGeometry(
                        c.n(),
                        c.c(),
                        c.h(),
                        c.w(),
                        oc,
                        c.g(),
                        c.kh(),
                        c.kw(),
                        c.strides()[0],
                        c.strides()[1],
                        c.dil()[0],
                        c.dil()[1],
                        c.pads()[0],
                        c.pads()[1],
                        oh,
                        ow);
                float[] x = RandomInit.normal(t, c.n(), c.c(), c.h(), c.w()).toArray();
                float[] w = RandomInit.normal(t + 100, oc, c.c() / c.g(), c.kh(), c.kw())
                        .toArray();
                float[] b = c.bias() ? RandomInit.normal(t + 200, oc).toArray() : null;
                int[] shape = {c.n(), oc, oh, ow};
                float[] res = t % 3 == 0 ? RandomInit.normal(t + 300, shape).toArray() : null;
                boolean relu = t % 2 == 0;
                float[] ref = new float[c.n() * oc * oh * ow];
                ConvKernels.naive(g, x, w, b, ref);
                for (int i = 0; i < ref.length; i++) {
                    float v = res == null ? ref[i] : ref[i] + res[i];
                    ref[i] = relu ? Math.max(v, 0f) : v;
                }
                for (Sgemm gemm : gemms) {
                    int kdim = g.colRows();
                    int ocg = g.ocPerGroup();
                    PackedA[] pw = new PackedA[g.group()];
                    for (int grp = 0; grp < g.group(); grp++) {
                        pw[grp] = gemm.pack(ocg, kdim, w, grp * ocg * kdim, kdim);
                    }
                    float[] y = new float[ref.length];
                    java.util.Arrays.fill(y, Float.NaN);
                    float[] col = new float[Math.max(1, ConvKernels.scratchSize(g, gemm))];
                    java.util.Arrays.fill(col, Float.NaN);
                    ConvKernels.conv(g, x, pw, b, res, relu, y, col, gemm, par);
                    OneNode.assertClose(
                            "conv " + gemm.name() + " " + g + " residual=" + (res != null) + " relu=" + relu,
                            Tensor.of(shape, ref),
                            Tensor.of(shape, y),
                            KERNEL_TOLERANCE);
                }
            }
        }
    }

    @Test
    void convSourceRowsAreIm2colRows() {
        Random r = new Random(8);
        for (int t = 0; t < 40; t++) {
            Case c = randomCase(r);
            if (!c.fits() || !c.autoPad().equals("NOTSET")) {
                t--;
                continue;
            }
            int oh = (c.h() + c.pads()[0] + c.pads()[2] - (c.kh() - 1) * c.dil()[0] - 1) / c.strides()[0] + 1;
            int ow = (c.w() + c.pads()[1] + c.pads()[3] - (c.kw() - 1) * c.dil()[1] - 1) / c.strides()[1] + 1;
            ConvGeometry g = new ConvGeometry(
                    1,
                    c.c(),
                    c.h(),
                    c.w(),
                    c.oc(),
                    c.g(),
                    c.kh(),
                    c.kw(),
                    c.strides()[0],
                    c.strides()[1],
                    c.dil()[0],
                    c.dil()[1],
                    c.pads()[0],
                    c.pads()[1],
                    oh,
                    ow);
            float[] x = RandomInit.normal(t, 1, c.c(), c.h(), c.w()).toArray();
            int n = oh * ow;
            float[] col = new float[g.colRows() * n];
            try (Parallel one = new Parallel(1)) {
                ConvKernels.im2colGemm(
                        g,
                        x,
                        new float[c.oc() * g.colRows()],
                        null,
                        new float[c.oc() * n],
                        col,
                        NaiveSgemm.INSTANCE,
                        one);
            }
            // im2colGemm leaves the last group's matrix in col
            ConvSource src = new ConvSource(g, x, (g.c() - g.cPerGroup()) * g.h() * g.w());
            for (int row = 0; row < g.colRows(); row++) {
                int j0 = r.nextInt(n);
                int len = 1 + r.nextInt(n - j0);
                float[] got = new float[len];
                src.row(row, j0, len, got);
                float[] want = java.util.Arrays.copyOfRange(col, row * n + j0, row * n + j0 + len);
                assertArrayEquals(want, got, "row " + row + " cols [" + j0 + ", " + (j0 + len) + ") of " + g);
            }
        }
    }
}
