package org.resnet4j.vision;

import java.util.Arrays;

/**
 * VP8's intra predictors (RFC 6386 section 12) as libwebp computes them. They write into a work
 * buffer of row stride {@link #BPS} at index {@code at}, reading the row above ({@code at - BPS},
 * including the pixel above-left and, for some 4x4 modes, four above-right) and the column to the
 * left, which {@link Vp8Decoder} fills with the neighbours or the frame-edge values beforehand.
 */
final class Vp8Intra {
    private Vp8Intra() {}

    static final int BPS = 32;

    // 16x16 and chroma modes, and the DC variants for the frame edges (libwebp's numbering)
    static final int DC = 0;
    static final int TM = 1;
    static final int VE = 2;
    static final int HE = 3;
    static final int DC_NO_TOP = 4;
    static final int DC_NO_LEFT = 5;
    static final int DC_NO_TOP_LEFT = 6;

    // 4x4 modes
    static final int B_DC = 0;
    static final int B_TM = 1;
    static final int B_VE = 2;
    static final int B_HE = 3;
    static final int B_RD = 4;
    static final int B_VR = 5;
    static final int B_LD = 6;
    static final int B_VL = 7;
    static final int B_HD = 8;
    static final int B_HU = 9;

    /** The DC mode of a macroblock on the top row or left column predicts from what exists. */
    static int edgeMode(int mbX, int mbY, int mode) {
        if (mode != DC) {
            return mode;
        }
        if (mbX == 0) {
            return mbY == 0 ? DC_NO_TOP_LEFT : DC_NO_LEFT;
        }
        return mbY == 0 ? DC_NO_TOP : DC;
    }

    /** Predicts a {@code size} x {@code size} block (16 for luma, 8 for chroma). */
    static void predictBlock(int mode, int size, int[] b, int at) {
        int log2 = size == 16 ? 4 : 3;
        switch (mode) {
            case DC -> {
                int sum = size;
                for (int j = 0; j < size; j++) {
                    sum += b[at - 1 + j * BPS] + b[at + j - BPS];
                }
                fill(b, at, size, sum >> (log2 + 1));
            }
            case DC_NO_TOP -> {
                int sum = size >> 1;
                for (int j = 0; j < size; j++) {
                    sum += b[at - 1 + j * BPS];
                }
                fill(b, at, size, sum >> log2);
            }
            case DC_NO_LEFT -> {
                int sum = size >> 1;
                for (int i = 0; i < size; i++) {
                    sum += b[at + i - BPS];
                }
                fill(b, at, size, sum >> log2);
            }
            case DC_NO_TOP_LEFT -> fill(b, at, size, 0x80);
            case TM -> trueMotion(b, at, size);
            case VE -> {
                for (int j = 0; j < size; j++) {
                    System.arraycopy(b, at - BPS, b, at + j * BPS, size);
                }
            }
            case HE -> {
                for (int j = 0; j < size; j++) {
                    int row = at + j * BPS;
                    Arrays.fill(b, row, row + size, b[row - 1]);
                }
            }
            default -> throw new IllegalArgumentException("intra mode " + mode);
        }
    }

    private static void fill(int[] b, int at, int size, int v) {
        for (int j = 0; j < size; j++) {
            Arrays.fill(b, at + j * BPS, at + j * BPS + size, v);
        }
    }

    private static void trueMotion(int[] b, int at, int size) {
        int topLeft = b[at - BPS - 1];
        for (int y = 0; y < size; y++) {
            int left = b[at + y * BPS - 1];
            for (int x = 0; x < size; x++) {
                b[at + y * BPS + x] = Vp8Transforms.clip8(b[at - BPS + x] + left - topLeft);
            }
        }
    }

    private static int avg3(int a, int b, int c) {
        return (a + 2 * b + c + 2) >> 2;
    }

    private static int avg2(int a, int b) {
        return (a + b + 1) >> 1;
    }

    /** Predicts a 4x4 luma block. */
    static void predict4(int mode, int[] b, int at) {
        int top = at - BPS;
        // the neighbours: X above-left, A..H above (E..H above-right), I..L left
        int x = b[top - 1];
        int a = b[top];
        int bb = b[top + 1];
        int c = b[top + 2];
        int d = b[top + 3];
        int e = b[top + 4];
        int f = b[top + 5];
        int g = b[top + 6];
        int h = b[top + 7];
        int i = b[at - 1];
        int j = b[at - 1 + BPS];
        int k = b[at - 1 + 2 * BPS];
        int l = b[at - 1 + 3 * BPS];
        switch (mode) {
            case B_DC -> {
                int dc = (a + bb + c + d + i + j + k + l + 4) >> 3;
                for (int r = 0; r < 4; r++) {
                    Arrays.fill(b, at + r * BPS, at + r * BPS + 4, dc);
                }
            }
            case B_TM -> trueMotion(b, at, 4);
            case B_VE -> { // vertical, smoothed along the row above
                int[] v = {avg3(x, a, bb), avg3(a, bb, c), avg3(bb, c, d), avg3(c, d, e)};
                for (int r = 0; r < 4; r++) {
                    System.arraycopy(v, 0, b, at + r * BPS, 4);
                }
            }
            case B_HE -> { // horizontal, smoothed down the left column
                int[] v = {avg3(x, i, j), avg3(i, j, k), avg3(j, k, l), avg3(k, l, l)};
                for (int r = 0; r < 4; r++) {
                    Arrays.fill(b, at + r * BPS, at + r * BPS + 4, v[r]);
                }
            }
            case B_RD -> { // down-right
                put(b, at, 0, 3, avg3(j, k, l));
                int v1 = avg3(i, j, k);
                put(b, at, 1, 3, v1);
                put(b, at, 0, 2, v1);
                int v2 = avg3(x, i, j);
                put(b, at, 2, 3, v2);
                put(b, at, 1, 2, v2);
                put(b, at, 0, 1, v2);
                int v3 = avg3(a, x, i);
                put(b, at, 3, 3, v3);
                put(b, at, 2, 2, v3);
                put(b, at, 1, 1, v3);
                put(b, at, 0, 0, v3);
                int v4 = avg3(bb, a, x);
                put(b, at, 3, 2, v4);
                put(b, at, 2, 1, v4);
                put(b, at, 1, 0, v4);
                int v5 = avg3(c, bb, a);
                put(b, at, 3, 1, v5);
                put(b, at, 2, 0, v5);
                put(b, at, 3, 0, avg3(d, c, bb));
            }
            case B_LD -> { // down-left
                put(b, at, 0, 0, avg3(a, bb, c));
                int v1 = avg3(bb, c, d);
                put(b, at, 1, 0, v1);
                put(b, at, 0, 1, v1);
                int v2 = avg3(c, d, e);
                put(b, at, 2, 0, v2);
                put(b, at, 1, 1, v2);
                put(b, at, 0, 2, v2);
                int v3 = avg3(d, e, f);
                put(b, at, 3, 0, v3);
                put(b, at, 2, 1, v3);
                put(b, at, 1, 2, v3);
                put(b, at, 0, 3, v3);
                int v4 = avg3(e, f, g);
                put(b, at, 3, 1, v4);
                put(b, at, 2, 2, v4);
                put(b, at, 1, 3, v4);
                int v5 = avg3(f, g, h);
                put(b, at, 3, 2, v5);
                put(b, at, 2, 3, v5);
                put(b, at, 3, 3, avg3(g, h, h));
            }
            case B_VR -> { // vertical-right
                int v = avg2(x, a);
                put(b, at, 0, 0, v);
                put(b, at, 1, 2, v);
                v = avg2(a, bb);
                put(b, at, 1, 0, v);
                put(b, at, 2, 2, v);
                v = avg2(bb, c);
                put(b, at, 2, 0, v);
                put(b, at, 3, 2, v);
                put(b, at, 3, 0, avg2(c, d));
                put(b, at, 0, 3, avg3(k, j, i));
                put(b, at, 0, 2, avg3(j, i, x));
                v = avg3(i, x, a);
                put(b, at, 0, 1, v);
                put(b, at, 1, 3, v);
                v = avg3(x, a, bb);
                put(b, at, 1, 1, v);
                put(b, at, 2, 3, v);
                v = avg3(a, bb, c);
                put(b, at, 2, 1, v);
                put(b, at, 3, 3, v);
                put(b, at, 3, 1, avg3(bb, c, d));
            }
            case B_VL -> { // vertical-left
                put(b, at, 0, 0, avg2(a, bb));
                int v = avg2(bb, c);
                put(b, at, 1, 0, v);
                put(b, at, 0, 2, v);
                v = avg2(c, d);
                put(b, at, 2, 0, v);
                put(b, at, 1, 2, v);
                v = avg2(d, e);
                put(b, at, 3, 0, v);
                put(b, at, 2, 2, v);
                put(b, at, 0, 1, avg3(a, bb, c));
                v = avg3(bb, c, d);
                put(b, at, 1, 1, v);
                put(b, at, 0, 3, v);
                v = avg3(c, d, e);
                put(b, at, 2, 1, v);
                put(b, at, 1, 3, v);
                v = avg3(d, e, f);
                put(b, at, 3, 1, v);
                put(b, at, 2, 3, v);
                put(b, at, 3, 2, avg3(e, f, g));
                put(b, at, 3, 3, avg3(f, g, h));
            }
            case B_HU -> { // horizontal-up
                put(b, at, 0, 0, avg2(i, j));
                int v = avg2(j, k);
                put(b, at, 2, 0, v);
                put(b, at, 0, 1, v);
                v = avg2(k, l);
                put(b, at, 2, 1, v);
                put(b, at, 0, 2, v);
                put(b, at, 1, 0, avg3(i, j, k));
                v = avg3(j, k, l);
                put(b, at, 3, 0, v);
                put(b, at, 1, 1, v);
                v = avg3(k, l, l);
                put(b, at, 3, 1, v);
                put(b, at, 1, 2, v);
                put(b, at, 3, 2, l);
                put(b, at, 2, 2, l);
                put(b, at, 0, 3, l);
                put(b, at, 1, 3, l);
                put(b, at, 2, 3, l);
                put(b, at, 3, 3, l);
            }
            case B_HD -> { // horizontal-down
                int v = avg2(i, x);
                put(b, at, 0, 0, v);
                put(b, at, 2, 1, v);
                v = avg2(j, i);
                put(b, at, 0, 1, v);
                put(b, at, 2, 2, v);
                v = avg2(k, j);
                put(b, at, 0, 2, v);
                put(b, at, 2, 3, v);
                put(b, at, 0, 3, avg2(l, k));
                put(b, at, 3, 0, avg3(a, bb, c));
                put(b, at, 2, 0, avg3(x, a, bb));
                v = avg3(i, x, a);
                put(b, at, 1, 0, v);
                put(b, at, 3, 1, v);
                v = avg3(j, i, x);
                put(b, at, 1, 1, v);
                put(b, at, 3, 2, v);
                v = avg3(k, j, i);
                put(b, at, 1, 2, v);
                put(b, at, 3, 3, v);
                put(b, at, 1, 3, avg3(l, k, j));
            }
            default -> throw new IllegalArgumentException("4x4 intra mode " + mode);
        }
    }

    private static void put(int[] b, int at, int x, int y, int v) {
        b[at + x + y * BPS] = v;
    }
}
