package org.resnet4j.engine.jvm.bench.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.resnet4j.engine.jvm.kernels.BlockedSgemm;
import org.resnet4j.engine.jvm.kernels.ConvGeometry;
import org.resnet4j.engine.jvm.kernels.ConvKernels;
import org.resnet4j.engine.jvm.kernels.Epilogue;
import org.resnet4j.engine.jvm.kernels.PackedA;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.Sgemm;
import org.resnet4j.engine.jvm.kernels.VectorSgemm;

/**
 * JMH suite for the kernels (profile {@code -Pjmh}, see the README): the GEMM on ResNet-50's shapes and
 * one conv of each shape class (7x7/2 stem, 3x3, 1x1 pointwise, 1x1/2 downsample), vector vs scalar.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class KernelBench {
    /** M x N x K of a GEMM: OC x OH·OW x C·kH·kW. */
    @Param({"64x3136x576", "256x3136x64", "128x784x1152", "256x196x2304", "512x49x4608", "2048x49x512"})
    public String gemm;

    /** stem, 3x3, 1x1, 1x1 stride 2: C:H:OC:k:stride:pad at batch 1 (colons: JMH splits -p values at commas). */
    @Param({"3:224:64:7:2:3", "64:56:64:3:1:1", "256:56:64:1:1:0", "256:56:512:1:2:0"})
    public String conv;

    @Param({"vector", "scalar"})
    public String kernel;

    @Param({"1", "2"})
    public int threads;

    Sgemm sgemm;
    Parallel par;
    PackedA a;
    float[] b;
    float[] c;
    int n;
    ConvGeometry g;
    float[] x;
    PackedA[] w;
    float[] bias;
    float[] y;
    float[] col;

    @Setup(Level.Trial)
    public void setUp() {
        sgemm = kernel.equals("vector") ? VectorSgemm.INSTANCE : BlockedSgemm.INSTANCE;
        par = new Parallel(threads);
        Random r = new Random(5);
        String[] s = gemm.split("x");
        int m = Integer.parseInt(s[0]);
        n = Integer.parseInt(s[1]);
        int k = Integer.parseInt(s[2]);
        a = sgemm.pack(m, k, random(r, m * k), 0, k);
        b = random(r, k * n);
        c = new float[m * n];
        String[] p = conv.split(":");
        int ch = Integer.parseInt(p[0]);
        int h = Integer.parseInt(p[1]);
        int oc = Integer.parseInt(p[2]);
        int kk = Integer.parseInt(p[3]);
        int st = Integer.parseInt(p[4]);
        int pad = Integer.parseInt(p[5]);
        int oh = (h + 2 * pad - kk) / st + 1;
        g = new ConvGeometry(1, ch, h, h, oc, 1, kk, kk, st, st, 1, 1, pad, pad, oh, oh);
        x = random(r, ch * h * h);
        w = new PackedA[] {sgemm.pack(oc, g.colRows(), random(r, oc * g.colRows()), 0, g.colRows())};
        bias = random(r, oc);
        y = new float[oc * oh * oh];
        col = new float[Math.max(1, ConvKernels.scratchSize(g))];
    }

    static float[] random(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return f;
    }

    @TearDown
    public void tearDown() {
        par.close();
    }

    @Benchmark
    public float[] gemm() {
        sgemm.gemm(a, n, b, 0, n, c, 0, n, Epilogue.NONE, par);
        return c;
    }

    @Benchmark
    public float[] convBiasRelu() {
        ConvKernels.conv(g, x, w, bias, null, true, y, col, sgemm, par);
        return y;
    }
}
