package org.resnet4j.vision;

/**
 * Reads the dequantized DCT coefficients of VP8 macroblocks from a token partition (RFC 6386
 * section 13), keeping the "has coefficients" context of the blocks above and to the left as
 * libwebp keeps it: per macroblock column a byte whose bits 0-3 are the four luma columns, 4-5 the
 * two U columns and 6-7 the two V columns (rows, for the left neighbour), plus the Y2 flag.
 */
final class Vp8Residuals {
    /** Dequantization factors of a segment: DC and AC for luma, Y2 (luma DC) and chroma. */
    record Quant(int y1Dc, int y1Ac, int y2Dc, int y2Ac, int uvDc, int uvAc) {}

    private final int[][][][] proba; // [type][band][context][node]
    private final int[] topNz;
    private final int[] topNzDc;
    private int leftNz;
    private int leftNzDc;
    private final short[] dc = new short[16];

    Vp8Residuals(int[][][][] proba, int mbWidth) {
        this.proba = proba;
        this.topNz = new int[mbWidth];
        this.topNzDc = new int[mbWidth];
    }

    /** A new macroblock row: nothing to the left. */
    void startRow() {
        leftNz = 0;
        leftNzDc = 0;
    }

    /** A macroblock without coefficients (its skip flag set): its blocks count as empty. */
    void skip(int mbX, boolean i4x4) {
        topNz[mbX] = 0;
        leftNz = 0;
        if (!i4x4) {
            topNzDc[mbX] = 0;
            leftNzDc = 0;
        }
    }

    /**
     * Reads the 25 (16x16 mode) or 24 (4x4 mode) blocks of macroblock column {@code mbX} into
     * {@code out}: 16 luma blocks of 16 coefficients in raster order, then 4 U and 4 V blocks; and
     * into {@code codes} (same order) what each block's inverse transform needs
     * ({@link Vp8Transforms#code}).
     *
     * @return whether no block needs one, which spares the macroblock its inner loop filtering
     */
    boolean read(Vp8BoolDecoder br, int mbX, boolean i4x4, Quant q, short[] out, int[] codes) {
        java.util.Arrays.fill(out, (short) 0);
        boolean any = false;
        int first;
        int lumaType;
        if (!i4x4) {
            java.util.Arrays.fill(dc, (short) 0);
            int nz = coefficients(br, 1, topNzDc[mbX] + leftNzDc, q.y2Dc(), q.y2Ac(), 0, dc, 0);
            topNzDc[mbX] = leftNzDc = nz > 0 ? 1 : 0;
            if (nz > 1) {
                Vp8Transforms.inverseWht(dc, out);
            } else { // only the DC term: the transform reduces to this
                short dc0 = (short) ((dc[0] + 3) >> 3);
                for (int i = 0; i < 256; i += 16) {
                    out[i] = dc0;
                }
            }
            first = 1;
            lumaType = 0;
        } else {
            first = 0;
            lumaType = 3;
        }

        int tnz = topNz[mbX] & 0x0f;
        int lnz = leftNz & 0x0f;
        int block = 0;
        for (int y = 0; y < 4; y++) {
            int l = lnz & 1;
            for (int x = 0; x < 4; x++, block++) {
                int ctx = l + (tnz & 1);
                int nz = coefficients(br, lumaType, ctx, q.y1Dc(), q.y1Ac(), first, out, 16 * block);
                l = nz > first ? 1 : 0;
                tnz = (tnz >> 1) | (l << 7);
                codes[block] = Vp8Transforms.code(nz, out[16 * block]);
                any |= codes[block] != Vp8Transforms.NONE;
            }
            tnz >>= 4;
            lnz = (lnz >> 1) | (l << 7);
        }
        int outTnz = tnz;
        int outLnz = lnz >> 4;

        for (int ch = 0; ch < 4; ch += 2) { // U, then V
            tnz = topNz[mbX] >> (4 + ch);
            lnz = leftNz >> (4 + ch);
            for (int y = 0; y < 2; y++) {
                int l = lnz & 1;
                for (int x = 0; x < 2; x++, block++) {
                    int ctx = l + (tnz & 1);
                    int nz = coefficients(br, 2, ctx, q.uvDc(), q.uvAc(), 0, out, 16 * block);
                    l = nz > 0 ? 1 : 0;
                    tnz = (tnz >> 1) | (l << 3);
                    codes[block] = Vp8Transforms.code(nz, out[16 * block]);
                    any |= codes[block] != Vp8Transforms.NONE;
                }
                tnz >>= 2;
                lnz = (lnz >> 1) | (l << 5);
            }
            outTnz |= (tnz << 4) << ch;
            outLnz |= (lnz & 0xf0) << ch;
        }
        topNz[mbX] = outTnz;
        leftNz = outLnz;
        return !any;
    }

    /**
     * One block's tokens from position {@code n}, dequantized ({@code dq0} for position 0,
     * {@code dq1} after) into {@code out[at ..]} in raster order.
     *
     * @return the position after the last coefficient read (16 when the block ran to its end)
     */
    private int coefficients(Vp8BoolDecoder br, int type, int ctx, int dq0, int dq1, int n, short[] out, int at) {
        int[][][] bands = proba[type];
        int[] p = bands[Vp8Tables.BANDS[n]][ctx];
        for (; n < 16; n++) {
            if (br.bit(p[0]) == 0) {
                return n; // end of block
            }
            while (br.bit(p[1]) == 0) { // a zero coefficient
                p = bands[Vp8Tables.BANDS[++n]][0];
                if (n == 16) {
                    return 16;
                }
            }
            int[][] next = bands[Vp8Tables.BANDS[n + 1]];
            int v;
            if (br.bit(p[2]) == 0) {
                v = 1;
                p = next[1];
            } else {
                v = largeValue(br, p);
                p = next[2];
            }
            // int16 as in libwebp: a product past 16 bits wraps there too
            out[at + Vp8Tables.ZIGZAG[n]] = (short) (br.signed(v) * (n > 0 ? dq1 : dq0));
        }
        return 16;
    }

    /** A coefficient magnitude of 2 or more (the token tree past "one", section 13.2). */
    private static int largeValue(Vp8BoolDecoder br, int[] p) {
        if (br.bit(p[3]) == 0) {
            if (br.bit(p[4]) == 0) {
                return 2;
            }
            return 3 + br.bit(p[5]);
        }
        if (br.bit(p[6]) == 0) {
            if (br.bit(p[7]) == 0) {
                return 5 + br.bit(159);
            }
            int v = 7 + 2 * br.bit(165);
            return v + br.bit(145);
        }
        int bit1 = br.bit(p[8]);
        int bit0 = br.bit(p[9 + bit1]);
        int cat = 2 * bit1 + bit0;
        int v = 0;
        for (int prob : Vp8Tables.CAT_PROBAS[cat]) {
            v += v + br.bit(prob);
        }
        return v + 3 + (8 << cat);
    }
}
