package org.resnet4j.engine.jvm.kernels.nchwc;

import static org.resnet4j.engine.jvm.kernels.nchwc.Nchwc.L;

/**
 * Convolution weights re-laid-out once for {@link DirectConv} (the engine does it on a convolution's
 * first run). The output channel blocks are cut into tiles of up to {@link #MAX_TILE} blocks (the kernel's register tile); per tile, the
 * input channel blocks it reads (all of them for group 1; for grouped convolutions only its groups'
 * blocks, zeros between groups) as (icb, kH, kW, L in, tile blocks, L out): for one input channel
 * of one tap, the tile's output channels are consecutive vectors.
 *
 * <p>Tile size for grouped convolutions: the number of blocks that wastes least on the zeros
 * between groups (ResNeXt's 4 channels per group at L = 8 read one input block per output block
 * when tiles are one block wide, four when they are four wide).
 */
public final class BlockedWeights {
    /** Output channel blocks per register tile. */
    public static final int MAX_TILE = 4;

    final int oc;
    final int c;
    final int kh;
    final int kw;
    final int ocBlocks;
    final int[] tileBlock0;
    final int[] tileBlocks;
    final int[] tileIcb0;
    final int[] tileIcbs;
    final int[] tileOff;
    final float[] data;
    /** (OCB·L) with zeros past OC, or null. */
    final float[] bias;
    /** Input channels per "input block": L for a blocked input, 1 for a plain (N,C,H,W) one. */
    final int lanesIn;

    private BlockedWeights(int oc, int c, int kh, int kw, int[][] tiles, float[] data, float[] bias, int lanesIn) {
        this.lanesIn = lanesIn;
        this.oc = oc;
        this.c = c;
        this.kh = kh;
        this.kw = kw;
        this.ocBlocks = Nchwc.blocks(oc);
        this.tileBlock0 = tiles[0];
        this.tileBlocks = tiles[1];
        this.tileIcb0 = tiles[2];
        this.tileIcbs = tiles[3];
        this.tileOff = tiles[4];
        this.data = data;
        this.bias = bias;
    }

    public int tiles() {
        return tileBlock0.length;
    }

    // w (OC,C/g,kH,kW), b (OC) or null -> the tiled layout above
    public static BlockedWeights pack(float[] w, float[] b, int oc, int c, int group, int kh, int kw) {
        int ocBlocks = Nchwc.blocks(oc);
        int cg = c / group;
        int ocg = oc / group;
        int kk = kh * kw;
        java.util.List<int[]> tiles = new java.util.ArrayList<>();
        int size = 0;
        for (int ob = 0; ob < ocBlocks; ) {
            int best = 1;
            double bestCost = Double.MAX_VALUE;
            for (int t = Math.min(MAX_TILE, ocBlocks - ob); t >= 1; t--) {
                int[] r = icbRange(ob, t, oc, cg, ocg);
                double cost = (double) r[1] / t; // input blocks read per output block
                if (cost < bestCost - 1e-9) {
                    bestCost = cost;
                    best = t;
                }
            }
            int[] r = icbRange(ob, best, oc, cg, ocg);
            tiles.add(new int[] {ob, best, r[0], r[1], size});
            size += r[1] * kk * L * best * L;
            ob += best;
        }
        int[][] t = new int[5][tiles.size()];
        for (int i = 0; i < tiles.size(); i++) {
            for (int f = 0; f < 5; f++) {
                t[f][i] = tiles.get(i)[f];
            }
        }
        float[] data = new float[Math.max(1, size)];
        for (int i = 0; i < tiles.size(); i++) {
            int ob0 = t[0][i];
            int nb = t[1][i];
            int icb0 = t[2][i];
            int icbs = t[3][i];
            int base = t[4][i];
            for (int bi = 0; bi < nb; bi++) {
                for (int lo = 0; lo < L; lo++) {
                    int o = (ob0 + bi) * L + lo;
                    if (o >= oc) {
                        continue;
                    }
                    int grp = o / ocg;
                    for (int ib = 0; ib < icbs; ib++) {
                        for (int li = 0; li < L; li++) {
                            int ci = (icb0 + ib) * L + li - grp * cg; // input channel within o's group
                            if (ci < 0 || ci >= cg) {
                                continue;
                            }
                            for (int k = 0; k < kk; k++) {
                                data[base + (((ib * kk + k) * L + li) * nb + bi) * L + lo] = w[(o * cg + ci) * kk + k];
                            }
                        }
                    }
                }
            }
        }
        return new BlockedWeights(oc, c, kh, kw, t, data, bias(b, oc), L);
    }

    /**
     * The weights of a group-1 convolution that reads a plain (N,C,H,W) input, C below L (a stem on
     * RGB): tiles of {@link #MAX_TILE} output blocks (the last one narrower when the blocks do not
     * divide), each over every input channel as
     * (C, kH, kW, tile blocks, L out), so the kernel takes one input lane per step instead of L of
     * which C are real.
     */
    public static BlockedWeights packPlainInput(float[] w, float[] b, int oc, int c, int kh, int kw) {
        int ocBlocks = Nchwc.blocks(oc);
        int kk = kh * kw;
        int count = (ocBlocks + MAX_TILE - 1) / MAX_TILE;
        int[][] t = new int[5][count];
        int size = 0;
        for (int i = 0; i < count; i++) {
            t[0][i] = i * MAX_TILE;
            t[1][i] = Math.min(MAX_TILE, ocBlocks - i * MAX_TILE);
            t[2][i] = 0;
            t[3][i] = c;
            t[4][i] = size;
            size += c * kk * t[1][i] * L;
        }
        float[] data = new float[Math.max(1, size)];
        for (int i = 0; i < count; i++) {
            int nb = t[1][i];
            for (int bi = 0; bi < nb; bi++) {
                for (int lo = 0; lo < L; lo++) {
                    int o = (t[0][i] + bi) * L + lo;
                    for (int ci = 0; o < oc && ci < c; ci++) {
                        for (int k = 0; k < kk; k++) {
                            data[t[4][i] + ((ci * kk + k) * nb + bi) * L + lo] = w[(o * c + ci) * kk + k];
                        }
                    }
                }
            }
        }
        return new BlockedWeights(oc, c, kh, kw, t, data, bias(b, oc), 1);
    }

    /**
     * The same weights cut down to taps ky in [ky0, ky0 + kh2), kx in [kx0, kx0 + kw2): the same tiles, each
     * (input block, tap, input lane) step of a kept tap with the same values. For a convolution whose
     * every output pixel reads only those taps inside its input (a 3x3 on a 1x1 input reads its centre),
     * so that the kernel streams the weights it multiplies and nothing else ({@link DirectConv#tables}).
     */
    BlockedWeights taps(int ky0, int kh2, int kx0, int kw2) {
        if (ky0 < 0 || kx0 < 0 || kh2 < 1 || kw2 < 1 || ky0 + kh2 > kh || kx0 + kw2 > kw) {
            throw new IllegalArgumentException("taps [" + ky0 + ", " + (ky0 + kh2) + ") x [" + kx0 + ", " + (kx0 + kw2)
                    + ") outside a " + kh + "x" + kw + " kernel");
        }
        int kk = kh * kw;
        int kk2 = kh2 * kw2;
        int n = tiles();
        int[][] t = {tileBlock0.clone(), tileBlocks.clone(), tileIcb0.clone(), tileIcbs.clone(), new int[n]};
        int size = 0;
        for (int i = 0; i < n; i++) {
            t[4][i] = size;
            size += tileIcbs[i] * kk2 * lanesIn * tileBlocks[i] * L;
        }
        float[] cut = new float[Math.max(1, size)];
        for (int i = 0; i < n; i++) {
            int step = lanesIn * tileBlocks[i] * L; // floats of one (input block, tap)
            for (int ib = 0; ib < tileIcbs[i]; ib++) {
                for (int ky = 0; ky < kh2; ky++) {
                    for (int kx = 0; kx < kw2; kx++) {
                        int from = tileOff[i] + (ib * kk + (ky0 + ky) * kw + kx0 + kx) * step;
                        int to = t[4][i] + (ib * kk2 + ky * kw2 + kx) * step;
                        System.arraycopy(data, from, cut, to, step);
                    }
                }
            }
        }
        return new BlockedWeights(oc, c, kh2, kw2, t, cut, bias, lanesIn);
    }

    // b (OC) or null -> (OCB·L), zeros past OC
    private static float[] bias(float[] b, int oc) {
        if (b == null) {
            return null;
        }
        float[] bias = new float[Nchwc.blocks(oc) * L];
        System.arraycopy(b, 0, bias, 0, oc);
        return bias;
    }

    // output blocks [ob, ob+t) -> {first input block, input block count} of the groups they read
    private static int[] icbRange(int ob, int t, int oc, int cg, int ocg) {
        int oLo = ob * L;
        int oHi = Math.min(oc, (ob + t) * L) - 1;
        int cLo = oLo / ocg * cg;
        int cHi = (oHi / ocg + 1) * cg; // exclusive
        int b0 = cLo / L;
        int b1 = (cHi + L - 1) / L;
        return new int[] {b0, b1 - b0};
    }
}
