package org.resnet4j.engine.jvm.kernels.nchwc;

import static org.resnet4j.engine.jvm.kernels.nchwc.Nchwc.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.resnet4j.engine.jvm.kernels.Parallel;
import org.resnet4j.engine.jvm.kernels.PoolKernels.PoolGeometry;
import org.resnet4j.engine.jvm.kernels.VectorWidth;

/** Max pooling and global pooling on the {@link Nchwc} layout: one vector holds a pixel's L channels. */
public final class BlockedPools {
    private static final VectorSpecies<Float> S = VectorWidth.FLOATS;

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

    // plane p = (n, cb), output row oy. Taps outer, pixels inner, the running maximum kept in y: a
    // vector carried through the tap loops of each pixel was boxed by C2 and ran 10x slower.
    private static void maxRow(PoolGeometry g, float[] x, float[] y, int p, int oy) {
        int xp = p * g.h() * g.w() * L;
        int y0 = (p * g.oh() + oy) * g.ow() * L;
        int iy0 = oy * g.strideH() - g.padT();
        int ky0 = Math.max(0, ceilDiv(-iy0, g.dilH()));
        int ky1 = Math.min(g.kh(), ceilDiv(g.h() - iy0, g.dilH()));
        FloatVector lowest = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int ox = 0; ox < g.ow(); ox++) {
            lowest.intoArray(y, y0 + ox * L);
        }
        int sw = g.strideW();
        for (int ky = ky0; ky < ky1; ky++) {
            int row = xp + (iy0 + ky * g.dilH()) * g.w() * L;
            for (int kx = 0; kx < g.kw(); kx++) {
                // the output columns whose window column ox·sw - padL + kx·dilW lies inside the input
                int shift = kx * g.dilW() - g.padL();
                int ox0 = Math.max(0, ceilDiv(-shift, sw));
                int ox1 = Math.min(g.ow(), ceilDiv(g.w() - shift, sw));
                for (int ox = ox0; ox < ox1; ox++) {
                    int yo = y0 + ox * L;
                    FloatVector v = FloatVector.fromArray(S, x, row + (ox * sw + shift) * L);
                    FloatVector.fromArray(S, y, yo)
                            .lanewise(VectorOperators.MAX, v)
                            .intoArray(y, yo);
                }
            }
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
                // one loop per kind: a vector chosen by a condition inside the loop was boxed by C2
                if (max) {
                    FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                    for (int i = 0; i < hw; i++) {
                        acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, xo + i * L));
                    }
                    acc.intoArray(lanes, 0);
                } else {
                    FloatVector acc = FloatVector.zero(S);
                    for (int i = 0; i < hw; i++) {
                        acc = acc.add(FloatVector.fromArray(S, x, xo + i * L));
                    }
                    acc.div((float) hw).intoArray(lanes, 0);
                }
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
