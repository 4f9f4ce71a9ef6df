package org.resnet4j.vision;

/**
 * VP8's inverse transforms (RFC 6386 section 14) as libwebp applies them on x86-64, where PIL runs
 * them: per 4x4 block, by how many coefficients it has, the DC-only shortcut, the three-coefficient
 * shortcut ("AC3") or the full inverse DCT; the full one is libwebp's SSE2 code, which keeps every
 * intermediate value in 16 bits. For the coefficients a real encoder writes, all of these equal the
 * plain integer transform; only damaged or crafted data, whose values overflow 16 bits, tells them
 * apart, and then this gives what PIL gives. Coefficients are int16 as in libwebp ({@code short},
 * wrapping where C stores into int16_t).
 */
final class Vp8Transforms {
    private Vp8Transforms() {}

    /** Block codes, as libwebp's {@code NzCodeBits}: what a block's coefficients need. */
    static final int NONE = 0;

    static final int DC_ONLY = 1;
    static final int AC3 = 2; // at most coefficients 0, 1 and 4 (zigzag positions 0..2)
    static final int FULL = 3;

    /** The code of a block read up to token position {@code nz} whose first coefficient is {@code dc}. */
    static int code(int nz, short dc) {
        return nz > 3 ? FULL : nz > 1 ? AC3 : dc != 0 ? DC_ONLY : NONE;
    }

    /** Adds the inverse transform of {@code in[from .. from + 16)} to the 4x4 block at {@code at}. */
    static void add(int code, short[] in, int from, int[] dst, int at, int stride) {
        switch (code) {
            case FULL -> fullAdd(in, from, dst, at, stride);
            case AC3 -> ac3Add(in, from, dst, at, stride);
            case DC_ONLY -> dcAdd(in, from, dst, at, stride);
            default -> {}
        }
    }

    /** Chroma: the full transform on all four blocks if any has more than a DC term, else the DCs. */
    static void addChroma(int[] codes, int first, short[] in, int from, int[] dst, int at, int stride) {
        boolean ac = false;
        for (int n = 0; n < 4; n++) {
            ac |= codes[first + n] >= AC3;
        }
        for (int n = 0; n < 4; n++) {
            int block = at + 4 * (n & 1) + 4 * (n >> 1) * stride;
            if (ac) {
                fullAdd(in, from + 16 * n, dst, block, stride);
            } else if (in[from + 16 * n] != 0) {
                dcAdd(in, from + 16 * n, dst, block, stride);
            }
        }
    }

    private static short s16(int v) {
        return (short) v;
    }

    /** {@code _mm_mulhi_epi16}: the high half of a signed 16 x 16-bit product. */
    private static int mulHi(int a, int k) {
        return (a * k) >> 16;
    }

    private static final int K1 = 20091; // sqrt(2) cos(pi/8) - 1, in 16-bit fixed point
    private static final int K2 = -30068; // sqrt(2) sin(pi/8) - 1

    /** libwebp's {@code Transform_SSE2}: two passes, each result wrapped to 16 bits. */
    private static void fullAdd(short[] in, int from, int[] dst, int at, int stride) {
        short[] t = new short[16]; // t[4 * column + row] after the vertical pass
        for (int i = 0; i < 4; i++) {
            int i0 = in[from + i];
            int i1 = in[from + 4 + i];
            int i2 = in[from + 8 + i];
            int i3 = in[from + 12 + i];
            int a = s16(i0 + i2);
            int b = s16(i0 - i2);
            int c = s16(s16(i1 - i3) + s16(mulHi(i1, K2) - mulHi(i3, K1)));
            int d = s16(s16(i1 + i3) + s16(mulHi(i1, K1) + mulHi(i3, K2)));
            t[4 * i] = s16(a + d);
            t[4 * i + 1] = s16(b + c);
            t[4 * i + 2] = s16(b - c);
            t[4 * i + 3] = s16(a - d);
        }
        for (int i = 0; i < 4; i++) { // horizontal pass, output row i
            int t0 = t[i];
            int t1 = t[4 + i];
            int t2 = t[8 + i];
            int t3 = t[12 + i];
            int dc = s16(t0 + 4);
            int a = s16(dc + t2);
            int b = s16(dc - t2);
            int c = s16(s16(t1 - t3) + s16(mulHi(t1, K2) - mulHi(t3, K1)));
            int d = s16(s16(t1 + t3) + s16(mulHi(t1, K1) + mulHi(t3, K2)));
            int row = at + i * stride;
            dst[row] = clip8(s16(dst[row] + (s16(a + d) >> 3)));
            dst[row + 1] = clip8(s16(dst[row + 1] + (s16(b + c) >> 3)));
            dst[row + 2] = clip8(s16(dst[row + 2] + (s16(b - c) >> 3)));
            dst[row + 3] = clip8(s16(dst[row + 3] + (s16(a - d) >> 3)));
        }
    }

    private static int mul1(int a) { // a * sqrt(2) * cos(pi/8)
        return ((a * 20091) >> 16) + a;
    }

    private static int mul2(int a) { // a * sqrt(2) * sin(pi/8)
        return (a * 35468) >> 16;
    }

    /** libwebp's {@code TransformAC3_C}: coefficients 0, 1 and 4 only, in int. */
    private static void ac3Add(short[] in, int from, int[] dst, int at, int stride) {
        int a = in[from] + 4;
        int c4 = mul2(in[from + 4]);
        int d4 = mul1(in[from + 4]);
        int c1 = mul2(in[from + 1]);
        int d1 = mul1(in[from + 1]);
        int[] rows = {a + d4, a + c4, a - c4, a - d4};
        for (int y = 0; y < 4; y++) {
            int row = at + y * stride;
            int v = rows[y];
            dst[row] = clip8(dst[row] + ((v + d1) >> 3));
            dst[row + 1] = clip8(dst[row + 1] + ((v + c1) >> 3));
            dst[row + 2] = clip8(dst[row + 2] + ((v - c1) >> 3));
            dst[row + 3] = clip8(dst[row + 3] + ((v - d1) >> 3));
        }
    }

    /** libwebp's {@code TransformDC_C}: the DC term alone. */
    private static void dcAdd(short[] in, int from, int[] dst, int at, int stride) {
        int dc = (in[from] + 4) >> 3;
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                dst[at + y * stride + x] = clip8(dst[at + y * stride + x] + dc);
            }
        }
    }

    /**
     * The inverse Walsh-Hadamard transform of the 16 DC terms {@code in}, written to the first
     * coefficient of each of the 16 luma blocks of {@code out} (16 coefficients apart).
     */
    static void inverseWht(short[] in, short[] out) {
        int[] tmp = new int[16];
        for (int i = 0; i < 4; i++) {
            int a0 = in[i] + in[12 + i];
            int a1 = in[4 + i] + in[8 + i];
            int a2 = in[4 + i] - in[8 + i];
            int a3 = in[i] - in[12 + i];
            tmp[i] = a0 + a1;
            tmp[8 + i] = a0 - a1;
            tmp[4 + i] = a3 + a2;
            tmp[12 + i] = a3 - a2;
        }
        for (int i = 0; i < 4; i++) {
            int dc = tmp[4 * i] + 3; // rounding
            int a0 = dc + tmp[4 * i + 3];
            int a1 = tmp[4 * i + 1] + tmp[4 * i + 2];
            int a2 = tmp[4 * i + 1] - tmp[4 * i + 2];
            int a3 = dc - tmp[4 * i + 3];
            out[64 * i] = (short) ((a0 + a1) >> 3);
            out[64 * i + 16] = (short) ((a3 + a2) >> 3);
            out[64 * i + 32] = (short) ((a0 - a1) >> 3);
            out[64 * i + 48] = (short) ((a3 - a2) >> 3);
        }
    }

    static int clip8(int v) {
        return (v & ~0xff) == 0 ? v : v < 0 ? 0 : 255;
    }
}
