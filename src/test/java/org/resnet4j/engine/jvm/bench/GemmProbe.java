package org.resnet4j.engine.jvm.bench;

import java.util.Locale;
import java.util.Random;
import org.resnet4j.engine.jvm.kernels.ConvGeometry;
import org.resnet4j.engine.jvm.kernels.ConvKernels;
import org.resnet4j.engine.jvm.kernels.Epilogue;
import org.resnet4j.engine.jvm.kernels.Kernels;
import org.resnet4j.engine.jvm.kernels.PackedA;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.Sgemm;

/**
 * A quick GEMM probe over ResNet-50's conv shapes at batch 1 (M=OC, N=OH·OW, K=C·kH·kW): GFLOP/s
 * per shape, best of a few runs. Not a test: {@code java -cp ... GemmProbe [threads]}. The JMH suite
 * ({@code -Pjmh}) is the careful version.
 */
public final class GemmProbe {
    static final int[][] SHAPES = {
        {64, 12544, 147}, {64, 3136, 64}, {64, 3136, 576}, {256, 3136, 64}, {64, 3136, 256},
        {128, 784, 1152}, {512, 784, 128}, {128, 784, 512}, {256, 196, 2304}, {1024, 196, 256},
        {256, 196, 1024}, {512, 49, 4608}, {2048, 49, 512}, {512, 49, 2048},
    };

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        Sgemm g = Kernels.defaultSgemm();
        System.out.println(Kernels.kernelPath() + ", " + threads + " threads");
        Random r = new Random(1);
        try (Parallel par = new Parallel(threads)) {
            // the cost of one hand-off: forRange over two no-op chunks, median of 2000
            long[] hand = new long[2000];
            for (int t = 0; t < hand.length; t++) {
                long t0 = System.nanoTime();
                par.forRange(2, 1, (a0, a1) -> {});
                hand[t] = System.nanoTime() - t0;
            }
            java.util.Arrays.sort(hand);
            System.out.printf(
                    Locale.ROOT, "hand-off: median %.1f us, p90 %.1f us%n", hand[1000] / 1e3, hand[1800] / 1e3);
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                float[] a = new float[m * k];
                float[] b = new float[k * n];
                float[] c = new float[m * n];
                for (int i = 0; i < a.length; i++) a[i] = r.nextFloat();
                for (int i = 0; i < b.length; i++) b[i] = r.nextFloat();
                PackedA pa = g.pack(m, k, a, 0, k);
                double flop = 2.0 * m * n * k;
                int reps = (int) Math.max(20, 4e9 / flop);
                long best = Long.MAX_VALUE;
                for (int t = 0; t < reps; t++) {
                    long t0 = System.nanoTime();
                    g.gemm(pa, n, b, 0, n, c, 0, n, Epilogue.NONE, par);
                    best = Math.min(best, System.nanoTime() - t0);
                }
                System.out.printf(
                        Locale.ROOT, "M=%5d N=%6d K=%5d  %7.3f ms  %6.1f GFLOP/s%n", m, n, k, best / 1e6, flop / best);
            }
            // convs of ResNet-50 at batch 1 through ConvKernels.conv (packing included): C, H, OC, k, stride, pad
            int[][] convs = {
                {3, 224, 64, 7, 2, 3},
                {64, 56, 64, 3, 1, 1},
                {128, 56, 128, 3, 2, 1},
                {128, 28, 128, 3, 1, 1},
                {256, 14, 256, 3, 1, 1},
                {512, 7, 512, 3, 1, 1},
                {256, 56, 512, 1, 2, 0},
                {1024, 14, 2048, 1, 2, 0},
                {256, 56, 64, 1, 1, 0}
            };
            for (int[] cv : convs) {
                int c = cv[0], h = cv[1], oc = cv[2], kk = cv[3], st = cv[4], pad = cv[5];
                int oh = (h + 2 * pad - kk) / st + 1;
                ConvGeometry geo = new ConvGeometry(1, c, h, h, oc, 1, kk, kk, st, st, 1, 1, pad, pad, oh, oh);
                float[] x = new float[c * h * h];
                float[] w = new float[oc * geo.colRows()];
                for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
                for (int i = 0; i < w.length; i++) w[i] = r.nextFloat();
                PackedA[] pw = {g.pack(oc, geo.colRows(), w, 0, geo.colRows())};
                float[] y = new float[oc * oh * oh];
                float[] col = new float[Math.max(1, ConvKernels.scratchSize(geo, g))];
                double flop = 2.0 * oc * oh * oh * geo.colRows();
                int reps = (int) Math.max(20, 4e9 / flop);
                long best = Long.MAX_VALUE;
                for (int t = 0; t < reps; t++) {
                    long t0 = System.nanoTime();
                    ConvKernels.conv(geo, x, pw, null, null, true, y, col, g, par);
                    best = Math.min(best, System.nanoTime() - t0);
                }
                System.out.printf(
                        Locale.ROOT,
                        "conv C=%4d H=%3d OC=%4d k=%d s=%d  %7.3f ms  %6.1f GFLOP/s%n",
                        c,
                        h,
                        oc,
                        kk,
                        st,
                        best / 1e6,
                        flop / best);
            }
        }
    }
}
