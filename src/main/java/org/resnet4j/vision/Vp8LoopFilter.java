package org.resnet4j.vision;

/**
 * VP8's in-loop deblocking filters (RFC 6386 section 15) as libwebp computes them, on 8-bit planes
 * held in byte arrays. For an edge, {@code at} is the first pixel past it, {@code step} the distance
 * across it (1 for a vertical edge, the row stride for a horizontal one) and {@code along} the
 * distance to the next pixel along it.
 */
final class Vp8LoopFilter {
    private Vp8LoopFilter() {}

    /** The filter parameters of one macroblock; {@code limit == 0} means it is not filtered. */
    record Strength(int limit, int innerLimit, int hevThreshold, boolean inner) {
        static final Strength NONE = new Strength(0, 0, 0, false);
    }

    private static int u(byte[] p, int i) {
        return p[i] & 0xff;
    }

    private static int clip(int v, int lo, int hi) {
        return v < lo ? lo : Math.min(v, hi);
    }

    private static int clip255(int v) {
        return clip(v, 0, 255);
    }

    /** Filters the macroblock whose luma starts at {@code y}, chroma at {@code uv} (libwebp's order). */
    static void filterMacroblock(
            boolean simple,
            Strength s,
            boolean left,
            boolean top,
            byte[] yPlane,
            int y,
            int yStride,
            byte[] uPlane,
            byte[] vPlane,
            int uv,
            int uvStride) {
        int limit = s.limit();
        if (limit == 0) {
            return;
        }
        if (simple) {
            if (left) {
                simpleEdge(yPlane, y, 1, yStride, 16, limit + 4);
            }
            if (s.inner()) {
                for (int k = 4; k < 16; k += 4) {
                    simpleEdge(yPlane, y + k, 1, yStride, 16, limit);
                }
            }
            if (top) {
                simpleEdge(yPlane, y, yStride, 1, 16, limit + 4);
            }
            if (s.inner()) {
                for (int k = 4; k < 16; k += 4) {
                    simpleEdge(yPlane, y + k * yStride, yStride, 1, 16, limit);
                }
            }
            return;
        }
        int il = s.innerLimit();
        int hev = s.hevThreshold();
        if (left) {
            edge26(yPlane, y, 1, yStride, 16, limit + 4, il, hev);
            edge26(uPlane, uv, 1, uvStride, 8, limit + 4, il, hev);
            edge26(vPlane, uv, 1, uvStride, 8, limit + 4, il, hev);
        }
        if (s.inner()) {
            for (int k = 4; k < 16; k += 4) {
                edge24(yPlane, y + k, 1, yStride, 16, limit, il, hev);
            }
            edge24(uPlane, uv + 4, 1, uvStride, 8, limit, il, hev);
            edge24(vPlane, uv + 4, 1, uvStride, 8, limit, il, hev);
        }
        if (top) {
            edge26(yPlane, y, yStride, 1, 16, limit + 4, il, hev);
            edge26(uPlane, uv, uvStride, 1, 8, limit + 4, il, hev);
            edge26(vPlane, uv, uvStride, 1, 8, limit + 4, il, hev);
        }
        if (s.inner()) {
            for (int k = 4; k < 16; k += 4) {
                edge24(yPlane, y + k * yStride, yStride, 1, 16, limit, il, hev);
            }
            edge24(uPlane, uv + 4 * uvStride, uvStride, 1, 8, limit, il, hev);
            edge24(vPlane, uv + 4 * uvStride, uvStride, 1, 8, limit, il, hev);
        }
    }

    private static void simpleEdge(byte[] p, int at, int step, int along, int count, int thresh) {
        int thresh2 = 2 * thresh + 1;
        for (int n = 0; n < count; n++, at += along) {
            if (needsFilter(p, at, step, thresh2)) {
                filter2(p, at, step);
            }
        }
    }

    /** A macroblock edge: up to three pixels changed on each side. */
    private static void edge26(byte[] p, int at, int step, int along, int count, int thresh, int ithresh, int hev) {
        int thresh2 = 2 * thresh + 1;
        for (int n = 0; n < count; n++, at += along) {
            if (needsFilter2(p, at, step, thresh2, ithresh)) {
                if (highEdgeVariance(p, at, step, hev)) {
                    filter2(p, at, step);
                } else {
                    filter6(p, at, step);
                }
            }
        }
    }

    /** An edge inside a macroblock: up to two pixels changed on each side. */
    private static void edge24(byte[] p, int at, int step, int along, int count, int thresh, int ithresh, int hev) {
        int thresh2 = 2 * thresh + 1;
        for (int n = 0; n < count; n++, at += along) {
            if (needsFilter2(p, at, step, thresh2, ithresh)) {
                if (highEdgeVariance(p, at, step, hev)) {
                    filter2(p, at, step);
                } else {
                    filter4(p, at, step);
                }
            }
        }
    }

    private static boolean needsFilter(byte[] p, int at, int step, int t) {
        int p1 = u(p, at - 2 * step);
        int p0 = u(p, at - step);
        int q0 = u(p, at);
        int q1 = u(p, at + step);
        return 4 * Math.abs(p0 - q0) + Math.abs(p1 - q1) <= t;
    }

    private static boolean needsFilter2(byte[] p, int at, int step, int t, int it) {
        int p3 = u(p, at - 4 * step);
        int p2 = u(p, at - 3 * step);
        int p1 = u(p, at - 2 * step);
        int p0 = u(p, at - step);
        int q0 = u(p, at);
        int q1 = u(p, at + step);
        int q2 = u(p, at + 2 * step);
        int q3 = u(p, at + 3 * step);
        if (4 * Math.abs(p0 - q0) + Math.abs(p1 - q1) > t) {
            return false;
        }
        return Math.abs(p3 - p2) <= it
                && Math.abs(p2 - p1) <= it
                && Math.abs(p1 - p0) <= it
                && Math.abs(q3 - q2) <= it
                && Math.abs(q2 - q1) <= it
                && Math.abs(q1 - q0) <= it;
    }

    private static boolean highEdgeVariance(byte[] p, int at, int step, int thresh) {
        int p1 = u(p, at - 2 * step);
        int p0 = u(p, at - step);
        int q0 = u(p, at);
        int q1 = u(p, at + step);
        return Math.abs(p1 - p0) > thresh || Math.abs(q1 - q0) > thresh;
    }

    /** Changes one pixel on each side. */
    private static void filter2(byte[] p, int at, int step) {
        int p1 = u(p, at - 2 * step);
        int p0 = u(p, at - step);
        int q0 = u(p, at);
        int q1 = u(p, at + step);
        int a = 3 * (q0 - p0) + clip(p1 - q1, -128, 127);
        int a1 = clip((a + 4) >> 3, -16, 15);
        int a2 = clip((a + 3) >> 3, -16, 15);
        p[at - step] = (byte) clip255(p0 + a2);
        p[at] = (byte) clip255(q0 - a1);
    }

    /** Changes two pixels on each side. */
    private static void filter4(byte[] p, int at, int step) {
        int p1 = u(p, at - 2 * step);
        int p0 = u(p, at - step);
        int q0 = u(p, at);
        int q1 = u(p, at + step);
        int a = 3 * (q0 - p0);
        int a1 = clip((a + 4) >> 3, -16, 15);
        int a2 = clip((a + 3) >> 3, -16, 15);
        int a3 = (a1 + 1) >> 1;
        p[at - 2 * step] = (byte) clip255(p1 + a3);
        p[at - step] = (byte) clip255(p0 + a2);
        p[at] = (byte) clip255(q0 - a1);
        p[at + step] = (byte) clip255(q1 - a3);
    }

    /** Changes three pixels on each side. */
    private static void filter6(byte[] p, int at, int step) {
        int p2 = u(p, at - 3 * step);
        int p1 = u(p, at - 2 * step);
        int p0 = u(p, at - step);
        int q0 = u(p, at);
        int q1 = u(p, at + step);
        int q2 = u(p, at + 2 * step);
        int a = clip(3 * (q0 - p0) + clip(p1 - q1, -128, 127), -128, 127);
        int a1 = (27 * a + 63) >> 7;
        int a2 = (18 * a + 63) >> 7;
        int a3 = (9 * a + 63) >> 7;
        p[at - 3 * step] = (byte) clip255(p2 + a3);
        p[at - 2 * step] = (byte) clip255(p1 + a2);
        p[at - step] = (byte) clip255(p0 + a1);
        p[at] = (byte) clip255(q0 - a1);
        p[at + step] = (byte) clip255(q1 - a2);
        p[at + 2 * step] = (byte) clip255(q2 - a3);
    }
}
