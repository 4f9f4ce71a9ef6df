package org.resnet4j.engine.jvm.kernels;

/**
 * Direct (naive) convolution and pooling over any number of spatial dimensions: the general path
 * for 1-D and 3-D graphs and for MaxPool's Indices output. The 2-D fast paths ({@link ConvKernels},
 * {@link PoolKernels}) stay the ones ResNets use; this one is written for clarity, one output
 * element at a time, parallel over (N, C) planes.
 */
public final class WindowNd {
    private WindowNd() {}

    /**
     * The window geometry: input spatial dims, kernel, strides, dilations, leading pads and output
     * spatial dims, all of length D.
     */
    public record Geometry(
            int n, int c, int[] in, int[] kernel, int[] strides, int[] dilations, int[] padBegin, int[] out) {
        int inSize() {
            return prod(in);
        }

        int outSize() {
            return prod(out);
        }

        int kernelSize() {
            return prod(kernel);
        }
    }

    static int prod(int[] a) {
        int p = 1;
        for (int v : a) {
            p *= v;
        }
        return p;
    }

    /**
     * The input offset (within one plane) that output {@code o} and kernel tap {@code k} read, or -1
     * when it falls in the padding. {@code o} and {@code k} are flat C-order indices.
     */
    static int tap(Geometry g, int o, int k) {
        int d = g.in.length;
        int off = 0;
        int ostride = 1;
        int kstride = 1;
        int istride = 1;
        for (int i = d - 1; i >= 0; i--) {
            int oi = (o / ostride) % g.out[i];
            int ki = (k / kstride) % g.kernel[i];
            int pos = oi * g.strides[i] - g.padBegin[i] + ki * g.dilations[i];
            if (pos < 0 || pos >= g.in[i]) {
                return -1;
            }
            off += pos * istride;
            ostride *= g.out[i];
            kstride *= g.kernel[i];
            istride *= g.in[i];
        }
        return off;
    }

    // x (N,C,in...), w (OC,C/g,k...), b (OC) or null -> y (N,OC,out...)
    public static void conv(Geometry g, int oc, int group, float[] x, float[] w, float[] b, float[] y, Parallel par) {
        int cg = g.c / group;
        int ocg = oc / group;
        int is = g.inSize();
        int os = g.outSize();
        int ks = g.kernelSize();
        par.forRange(g.n * oc, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int n = p / oc;
                int m = p % oc;
                int grp = m / ocg;
                for (int o = 0; o < os; o++) {
                    float acc = b == null ? 0f : b[m];
                    for (int k = 0; k < ks; k++) {
                        int t = tap(g, o, k);
                        if (t < 0) {
                            continue;
                        }
                        for (int ci = 0; ci < cg; ci++) {
                            int c = grp * cg + ci;
                            acc += x[(n * g.c + c) * is + t] * w[(m * cg + ci) * ks + k];
                        }
                    }
                    y[p * os + o] = acc;
                }
            }
        });
    }

    /**
     * x (N,C,in...) -> y (N,C,out...), and when {@code indices} is not null the flat index of each
     * maximum in x (storage order 0: C order over the whole tensor; 1: the spatial dims column-major).
     * Windows that see only padding give -inf; NaN wins, as in ONNX Runtime.
     */
    public static void maxPool(Geometry g, float[] x, float[] y, long[] indices, boolean columnMajor, Parallel par) {
        int is = g.inSize();
        int os = g.outSize();
        int ks = g.kernelSize();
        par.forRange(g.n * g.c, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int o = 0; o < os; o++) {
                    float m = Float.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int k = 0; k < ks; k++) {
                        int t = tap(g, o, k);
                        if (t >= 0) {
                            float v = x[p * is + t];
                            if (at < 0 || v > m || (Float.isNaN(v) && !Float.isNaN(m))) {
                                m = v;
                                at = t;
                            }
                        }
                    }
                    y[p * os + o] = m;
                    if (indices != null) {
                        indices[p * os + o] =
                                (long) p * is + (columnMajor ? columnMajor(g.in, Math.max(at, 0)) : Math.max(at, 0));
                    }
                }
            }
        });
    }

    // a C-order offset within dims -> the same position's column-major offset
    private static int columnMajor(int[] dims, int offset) {
        int r = 0;
        int stride = 1;
        int rest = offset;
        int[] idx = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            idx[i] = rest % dims[i];
            rest /= dims[i];
        }
        for (int i = 0; i < dims.length; i++) {
            r += idx[i] * stride;
            stride *= dims[i];
        }
        return r;
    }

    /**
     * x (N,C,in...) -> y (N,C,out...): the mean over each window's taps inside the input, or over
     * the whole window (padding counted as 0) with {@code countIncludePad}; the part of a window
     * beyond the padded input (ceil_mode) never counts.
     */
    public static void avgPool(Geometry g, boolean countIncludePad, int[] padEnd, float[] x, float[] y, Parallel par) {
        int is = g.inSize();
        int os = g.outSize();
        int ks = g.kernelSize();
        par.forRange(g.n * g.c, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int o = 0; o < os; o++) {
                    float acc = 0;
                    int count = 0;
                    for (int k = 0; k < ks; k++) {
                        int t = tap(g, o, k);
                        if (t >= 0) {
                            acc += x[p * is + t];
                            count++;
                        } else if (countIncludePad && insidePadded(g, padEnd, o, k)) {
                            count++;
                        }
                    }
                    y[p * os + o] = count == 0 ? 0f : acc / count;
                }
            }
        });
    }

    private static boolean insidePadded(Geometry g, int[] padEnd, int o, int k) {
        int ostride = 1;
        int kstride = 1;
        for (int i = g.in.length - 1; i >= 0; i--) {
            int oi = (o / ostride) % g.out[i];
            int ki = (k / kstride) % g.kernel[i];
            int pos = oi * g.strides[i] - g.padBegin[i] + ki * g.dilations[i];
            if (pos < -g.padBegin[i] || pos >= g.in[i] + padEnd[i]) {
                return false;
            }
            ostride *= g.out[i];
            kstride *= g.kernel[i];
        }
        return true;
    }
}
