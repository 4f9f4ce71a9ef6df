package org.resnet4j.engine.jvm.kernels.nchwc;

import static org.resnet4j.engine.jvm.kernels.nchwc.Nchwc.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.PoolKernels.PoolGeometry;

/** Max pooling and global pooling on the {@link Nchwc} layout: one vector holds a pixel's L channels. */
public final class BlockedPools {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private BlockedPools() {}

    // x (N,CB,H,W,L) -> y (N,CB,OH,OW,L); g.c() is the logical channel count. Lanewise MAX is Math.max
    // (NaN wins), as the plain kernel; padding never wins.
    public static void maxPool(PoolGeometry g, float[] x, float[] y, Parallel par) {
        int cb = Nchwc.blocks(g.c());
        int rows = g.n() * cb * g.oh();
        int grain = Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, g.ow() * L * g.kh() * g.kw()));
        par.forRange(rows, grain, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                maxRow(g, x, y, r / g.oh(), r % g.oh());
            }
        });
    }

    // plane p = (n, cb), output row oy
    private static void maxRow(PoolGeometry g, float[] x, float[] y, int p, int oy) {
        int xp = p * g.h() * g.w() * L;
        int yo = (p * g.oh() + oy) * g.ow() * L;
        int iy0 = oy * g.strideH() - g.padT();
        int ky0 = Math.max(0, ceilDiv(-iy0, g.dilH()));
        int ky1 = Math.min(g.kh(), ceilDiv(g.h() - iy0, g.dilH()));
        for (int ox = 0; ox < g.ow(); ox++, yo += L) {
            int ix0 = ox * g.strideW() - g.padL();
            int kx0 = Math.max(0, ceilDiv(-ix0, g.dilW()));
            int kx1 = Math.min(g.kw(), ceilDiv(g.w() - ix0, g.dilW()));
            FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int ky = ky0; ky < ky1; ky++) {
                int row = xp + ((iy0 + ky * g.dilH()) * g.w() + ix0) * L;
                for (int kx = kx0; kx < kx1; kx++) {
                    m = m.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, row + kx * g.dilW() * L));
                }
            }
            m.intoArray(y, yo);
        }
    }

    // x (N,CB,H,W,L) -> y (N,C,1,1): the mean (or max) of each channel over H·W, pixels in ascending
    // order as the plain GlobalAveragePool sums them, so both give the same floats
    public static void global(float[] x, int n, int c, int hw, boolean max, float[] y, Parallel par) {
        int cb = Nchwc.blocks(c);
        par.forRange(n * cb, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, hw * L)), (p0, p1) -> {
            float[] lanes = new float[L];
            for (int p = p0; p < p1; p++) {
                int xo = p * hw * L;
                FloatVector acc = max ? FloatVector.broadcast(S, Float.NEGATIVE_INFINITY) : FloatVector.zero(S);
                for (int i = 0; i < hw; i++) {
                    FloatVector v = FloatVector.fromArray(S, x, xo + i * L);
                    acc = max ? acc.lanewise(VectorOperators.MAX, v) : acc.add(v);
                }
                if (!max) {
                    acc = acc.div((float) hw);
                }
                acc.intoArray(lanes, 0);
                int img = p / cb;
                int c0 = p % cb * L;
                for (int l = 0; l < Math.min(L, c - c0); l++) {
                    y[img * c + c0 + l] = lanes[l];
                }
            }
        });
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
