package org.resnet4j.vision;

/**
 * Turns decoded VP8 planes (4:2:0) into 8-bit RGB as libwebp's default output does: "fancy"
 * upsampling, where each output pixel's chroma is interpolated from its four nearest chroma samples
 * with weights 9, 3, 3, 1 (16ths, rounded as libwebp's {@code UpsampleRgbLinePair}), and the BT.601
 * conversion in libwebp's 14-bit fixed point ({@code VP8YuvToRgb}). The first row, and the last one
 * of an even height, take both chroma rows from the one nearest; the first column, and the last of
 * an even width, likewise.
 */
final class WebpYuvToRgb {
    private WebpYuvToRgb() {}

    /** {@code planes} as a {@code width x height} RGB image. */
    static RgbImage convert(Vp8Decoder.Planes planes) {
        int w = planes.width();
        int h = planes.height();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int uv = planes.uvStride();
        // row 0: chroma row 0 is nearest and farthest; then pairs of rows (2k-1, 2k) between chroma rows k-1 and k
        row(planes, 0, 0, 0, out);
        for (int y = 1; y < h; y += 2) {
            int above = (y - 1) >> 1;
            int below = Math.min(above + 1, (h - 1) >> 1); // an even height's last row has only the one above
            row(planes, y, above * uv, below * uv, out);
            if (y + 1 < h) {
                row(planes, y + 1, below * uv, above * uv, out);
            }
        }
        return new RgbImage(w, h, out);
    }

    /**
     * Output row {@code y} from its luma row and two chroma rows: {@code near} (weight 3) and
     * {@code far} (weight 1), given as offsets into the chroma planes.
     */
    private static void row(Vp8Decoder.Planes p, int y, int near, int far, byte[] out) {
        int w = p.width();
        byte[] lumaPlane = p.y();
        int luma = y * p.yStride();
        int o = y * w * 3;
        byte[] uPlane = p.u();
        byte[] vPlane = p.v();
        // column 0, then pairs (2x-1, 2x) between chroma columns x-1 and x, then an even width's last column
        put(out, o, lumaPlane[luma] & 0xff, edge(uPlane, near, far, 0), edge(vPlane, near, far, 0));
        int pairs = (w - 1) >> 1;
        for (int x = 1; x <= pairs; x++) {
            int px = 2 * x - 1;
            put(
                    out,
                    o + 3 * px,
                    lumaPlane[luma + px] & 0xff,
                    inner(uPlane, near, far, x - 1, x),
                    inner(vPlane, near, far, x - 1, x));
            put(
                    out,
                    o + 3 * (px + 1),
                    lumaPlane[luma + px + 1] & 0xff,
                    inner(uPlane, near, far, x, x - 1),
                    inner(vPlane, near, far, x, x - 1));
        }
        if ((w & 1) == 0) {
            int last = pairs;
            put(
                    out,
                    o + 3 * (w - 1),
                    lumaPlane[luma + w - 1] & 0xff,
                    edge(uPlane, near, far, last),
                    edge(vPlane, near, far, last));
        }
    }

    /** Chroma between two rows only: (3 near + far + 2) / 4. */
    private static int edge(byte[] c, int near, int far, int x) {
        return (3 * (c[near + x] & 0xff) + (c[far + x] & 0xff) + 2) >> 2;
    }

    /**
     * Chroma of a pixel whose nearest sample is column {@code a} of the near row ({@code b} the other
     * column): about (9 near[a] + 3 near[b] + 3 far[a] + far[b]) / 16, rounded in libwebp's two steps,
     * (near[a] + (near[a] + near[b] + far[a] + far[b] + 2 (near[b] + far[a]) + 8) / 8) / 2.
     */
    private static int inner(byte[] c, int near, int far, int a, int b) {
        int na = c[near + a] & 0xff;
        int nb = c[near + b] & 0xff;
        int fa = c[far + a] & 0xff;
        int fb = c[far + b] & 0xff;
        int diagonal = (na + nb + fa + fb + 8 + 2 * (nb + fa)) >> 3;
        return (diagonal + na) >> 1;
    }

    private static void put(byte[] out, int o, int y, int u, int v) {
        int luma = mulHi(y, 19077);
        out[o] = (byte) clip(luma + mulHi(v, 26149) - 14234);
        out[o + 1] = (byte) clip(luma - mulHi(u, 6419) - mulHi(v, 13320) + 8708);
        out[o + 2] = (byte) clip(luma + mulHi(u, 33050) - 17685);
    }

    private static int mulHi(int v, int coefficient) {
        return (v * coefficient) >> 8;
    }

    /** libwebp's {@code VP8Clip8}: drops the 6 fraction bits, clamps to 0..255. */
    private static int clip(int v) {
        return (v & ~((256 << 6) - 1)) == 0 ? v >> 6 : v < 0 ? 0 : 255;
    }
}
