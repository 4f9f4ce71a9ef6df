package org.resnet4j.vision;

/**
 * PIL's {@code Image.resize(size, Image.BILINEAR)} on 8-bit RGB images, bit for bit.
 *
 * <p>Pillow (src/libImaging/Resample.c) resamples in two separable passes: first horizontally,
 * over only the rows the vertical pass will read, then vertically; a pass whose size does not
 * change is skipped, and an unchanged size copies the image. Per output pixel the filter weights
 * are computed in double precision: the filter is stretched by the scale when downscaling (so
 * downscaling averages, "antialiasing"), the window is rounded to whole input pixels, and the
 * weights are normalised to sum to one. They are then turned into fixed point with
 * {@value #PRECISION_BITS} fraction bits (rounded half away from zero), and each output sample is
 * {@code clip8((1 << (PRECISION_BITS - 1)) + sum(sample * weight))}: integer arithmetic, so the
 * result does not depend on the platform.
 */
public final class PilResize {
    /** Pillow's {@code PRECISION_BITS}: 32 bits minus 8 for the sample minus 2 for overflow. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    /** The bilinear (triangle) filter's support in input pixels at scale 1. */
    private static final double BILINEAR_SUPPORT = 1.0;

    private PilResize() {}

    /** Fixed-point weights of one pass: output pixel i reads input pixels [min[i], min[i] + count[i]). */
    static final class Coefficients {
        final int ksize;
        final int[] min;
        final int[] count;
        /** {@code outSize * ksize} weights, row i at {@code i * ksize}. */
        final int[] weights;

        Coefficients(int ksize, int[] min, int[] count, int[] weights) {
            this.ksize = ksize;
            this.min = min;
            this.count = count;
            this.weights = weights;
        }
    }

    private static double bilinear(double x) {
        if (x < 0.0) {
            x = -x;
        }
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /**
     * Pillow's {@code precompute_coeffs} for the box [0, inSize) followed by
     * {@code normalize_coeffs_8bpc}.
     */
    static Coefficients coefficients(int inSize, int outSize) {
        return coefficients(inSize, outSize, 0, outSize);
    }

    /**
     * The coefficients of output pixels {@code [from, from + n)} only (index 0 of the arrays is
     * output pixel {@code from}): each output pixel's weights depend on its own index alone, so a
     * window is exactly the corresponding part of the whole.
     */
    static Coefficients coefficients(int inSize, int outSize, int from, int n) {
        // in1 - in0 is a float subtraction in Pillow; exact for any int size below 2^24.
        double scale = (double) ((float) inSize - 0f) / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = BILINEAR_SUPPORT * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        if ((long) n * ksize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("resize from " + inSize + " to " + outSize + " needs too many weights");
        }
        int[] min = new int[n];
        int[] count = new int[n];
        int[] weights = new int[n * ksize];
        double[] k = new double[ksize];
        double ss = 1.0 / filterscale;
        for (int i = 0; i < n; i++) {
            int xx = from + i;
            double center = 0.0 + (xx + 0.5) * scale;
            double ww = 0.0;
            int xmin = (int) (center - support + 0.5); // C's (int) truncates toward zero, as Java's cast
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double w = bilinear((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    k[x] /= ww;
                }
            }
            for (int x = 0; x < xmax; x++) {
                double v = k[x] * (1 << PRECISION_BITS);
                weights[i * ksize + x] = k[x] < 0 ? (int) (-0.5 + v) : (int) (0.5 + v);
            }
            min[i] = xmin;
            count[i] = xmax;
        }
        return new Coefficients(ksize, min, count, weights);
    }

    /** Pillow's {@code clip8}: the fixed-point sum shifted down and clamped to 0..255. */
    static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** The image resized to {@code outWidth x outHeight} as PIL's bilinear {@code resize} does. */
    public static RgbImage resize(RgbImage in, int outWidth, int outHeight) {
        return resizeRegion(in, outWidth, outHeight, 0, 0, outWidth, outHeight);
    }

    /**
     * The region {@code [x0, x0 + w) x [y0, y0 + h)} of {@link #resize resize(in, outWidth, outHeight)},
     * bit for bit, computing only that region: memory is {@code w * h * 3} bytes plus the
     * horizontal pass over the source rows the region reads, whatever the resized size (a center
     * crop of a 1x3000 image resized to 256x768000 needs 224x224 pixels, not 590 MB).
     */
    public static RgbImage resizeRegion(RgbImage in, int outWidth, int outHeight, int x0, int y0, int w, int h) {
        if (outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + outWidth + "x" + outHeight);
        }
        if (w <= 0 || h <= 0 || x0 < 0 || y0 < 0 || x0 > outWidth - w || y0 > outHeight - h) {
            throw new IllegalArgumentException("region " + w + "x" + h + " at (" + x0 + ", " + y0 + ") is not inside "
                    + outWidth + "x" + outHeight);
        }
        int inW = in.width();
        int inH = in.height();
        boolean needHorizontal = outWidth != inW;
        boolean needVertical = outHeight != inH;
        Coefficients vert = needVertical ? coefficients(inH, outHeight, y0, h) : null;
        // Source rows the vertical pass reads (window bounds grow with the output index): the
        // horizontal pass computes only these.
        int firstRow = needVertical ? vert.min[0] : y0;
        int rows = (needVertical ? vert.min[h - 1] + vert.count[h - 1] : y0 + h) - firstRow;
        byte[] src = needHorizontal
                ? horizontal(in.rgb(), inW, firstRow, rows, w, coefficients(inW, outWidth, x0, w))
                : columns(in.rgb(), inW, firstRow, rows, x0, w);
        if (!needVertical) {
            return new RgbImage(w, h, src);
        }
        return new RgbImage(w, h, vertical(src, w, firstRow, h, vert));
    }

    /** Columns {@code [x0, x0 + w)} of rows {@code [firstRow, firstRow + rows)}: the pass that changes nothing. */
    private static byte[] columns(byte[] src, int inW, int firstRow, int rows, int x0, int w) {
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, rows), 3)];
        for (int y = 0; y < rows; y++) {
            System.arraycopy(src, ((firstRow + y) * inW + x0) * 3, out, y * w * 3, w * 3);
        }
        return out;
    }

    private static byte[] horizontal(byte[] src, int inW, int firstRow, int rows, int outW, Coefficients c) {
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(outW, rows), 3)];
        int half = 1 << (PRECISION_BITS - 1);
        for (int yy = 0; yy < rows; yy++) {
            int rowBase = (yy + firstRow) * inW * 3;
            int outBase = yy * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = c.min[xx];
                int n = c.count[xx];
                int kBase = xx * c.ksize;
                int s0 = half;
                int s1 = half;
                int s2 = half;
                int p = rowBase + xmin * 3;
                for (int x = 0; x < n; x++, p += 3) {
                    int w = c.weights[kBase + x];
                    s0 += (src[p] & 0xff) * w;
                    s1 += (src[p + 1] & 0xff) * w;
                    s2 += (src[p + 2] & 0xff) * w;
                }
                int o = outBase + xx * 3;
                out[o] = (byte) clip8(s0);
                out[o + 1] = (byte) clip8(s1);
                out[o + 2] = (byte) clip8(s2);
            }
        }
        return out;
    }

    /** Vertical pass; {@code rowOffset} is subtracted from the weights' row bounds (rows already cut). */
    private static byte[] vertical(byte[] src, int w, int rowOffset, int outH, Coefficients c) {
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, outH), 3)];
        int half = 1 << (PRECISION_BITS - 1);
        int stride = w * 3;
        for (int yy = 0; yy < outH; yy++) {
            int ymin = c.min[yy] - rowOffset;
            int n = c.count[yy];
            int kBase = yy * c.ksize;
            int outBase = yy * stride;
            for (int xx = 0; xx < w; xx++) {
                int s0 = half;
                int s1 = half;
                int s2 = half;
                int p = ymin * stride + xx * 3;
                for (int y = 0; y < n; y++, p += stride) {
                    int wt = c.weights[kBase + y];
                    s0 += (src[p] & 0xff) * wt;
                    s1 += (src[p + 1] & 0xff) * wt;
                    s2 += (src[p + 2] & 0xff) * wt;
                }
                int o = outBase + xx * 3;
                out[o] = (byte) clip8(s0);
                out[o + 1] = (byte) clip8(s1);
                out[o + 2] = (byte) clip8(s2);
            }
        }
        return out;
    }
}
