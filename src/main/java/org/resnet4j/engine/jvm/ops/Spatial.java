package org.resnet4j.engine.jvm.ops;

import java.util.Arrays;
import org.resnet4j.engine.jvm.kernels.WindowNd;

/**
 * The window attributes Conv and the pools share (kernel_shape, strides, dilations, pads,
 * auto_pad, ceil_mode), checked at compile time and resolved against an input's spatial dims.
 * Any number D of spatial dims: the arrays have length D (pads 2D: all begins, then all ends), D
 * taken from the attributes, or 2 until {@link #forRank} sees the input when none gives it.
 */
final class Spatial {
    enum AutoPad {
        NOTSET,
        SAME_UPPER,
        SAME_LOWER,
        VALID
    }

    final int[] kernel; // null for Conv without kernel_shape: taken from the weight
    final int[] strides;
    final int[] dilations;
    final int[] pads; // begins then ends: top, left, bottom, right in 2-D
    final AutoPad autoPad;
    final boolean ceilMode;
    /** True when an attribute fixed D; else D is 2 and {@link #forRank} may change it. */
    private final boolean rankFixed;

    private final String label;

    /** The resolved geometry for one input: leading/trailing pads and the output size. */
    record Resolved(int padT, int padL, int padB, int padR, int oh, int ow) {}

    Spatial(NodeSpec s, boolean kernelRequired, boolean allowDilations, boolean allowCeil) {
        label = s.label();
        long[] k = s.ints("kernel_shape");
        if (k == null && kernelRequired) {
            throw s.refuse("attribute kernel_shape is required");
        }
        long[] st = s.ints("strides");
        long[] d = s.ints("dilations");
        long[] p = s.ints("pads");
        int nd = k != null ? k.length : st != null ? st.length : d != null ? d.length : p != null ? p.length / 2 : -1;
        rankFixed = nd >= 0;
        if (nd < 0) {
            nd = 2;
        }
        if (nd < 1) {
            throw s.refuse("kernel_shape is empty, expected one value per spatial dimension");
        }
        kernel = k == null ? null : positive(s, "kernel_shape", k, nd);
        strides = st != null ? positive(s, "strides", st, nd) : ones(nd);
        if (d != null && !allowDilations) {
            throw s.refuse("attribute dilations needs opset 19 or later for this op");
        }
        dilations = d == null ? ones(nd) : positive(s, "dilations", d, nd);
        String ap = s.s("auto_pad", "NOTSET");
        try {
            autoPad = AutoPad.valueOf(ap);
        } catch (IllegalArgumentException e) {
            throw s.refuse(
                    "auto_pad '" + ap + "' is not supported, expected one of " + Arrays.toString(AutoPad.values()));
        }
        if (p != null && autoPad != AutoPad.NOTSET && Arrays.stream(p).anyMatch(v -> v != 0)) {
            throw s.refuse("pads cannot be used together with auto_pad=" + autoPad);
        }
        if (p == null) {
            pads = new int[2 * nd];
        } else {
            if (p.length != 2 * nd) {
                throw s.refuse("pads has " + p.length + " values, expected " + 2 * nd
                        + " (begin and end per spatial dimension)");
            }
            pads = new int[2 * nd];
            for (int i = 0; i < pads.length; i++) {
                if (p[i] < 0 || p[i] > Integer.MAX_VALUE / 4) {
                    throw s.refuse("pads " + Arrays.toString(p) + " must be non-negative");
                }
                pads[i] = (int) p[i];
            }
        }
        long ceil = allowCeil ? s.oneOf("ceil_mode", 0, 0, 1) : 0;
        ceilMode = ceil == 1;
    }

    private Spatial(Spatial o, int nd) {
        label = o.label;
        rankFixed = true;
        kernel = o.kernel;
        strides = ones(nd);
        dilations = ones(nd);
        pads = new int[2 * nd];
        autoPad = o.autoPad;
        ceilMode = o.ceilMode;
    }

    /** Spatial dims D these attributes describe. */
    int rank() {
        return strides.length;
    }

    /**
     * The attributes for an input with {@code nd} spatial dims: this when D matches; the defaults for
     * {@code nd} when no attribute fixed D; null when the attributes give another D.
     */
    Spatial forRank(int nd) {
        if (nd == rank()) {
            return this;
        }
        return rankFixed ? null : new Spatial(this, nd);
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }

    private static int[] positive(NodeSpec s, String name, long[] v, int nd) {
        if (v.length != nd) {
            throw s.refuse(name + " has " + v.length + " values, expected " + nd + " (one per spatial dimension)");
        }
        int[] out = new int[nd];
        for (int i = 0; i < nd; i++) {
            if (v[i] < 1 || v[i] > Integer.MAX_VALUE / 4) {
                throw s.refuse(name + " " + Arrays.toString(v) + " must be positive");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    /** Per spatial dim {padBegin, padEnd, out} for input dims {@code in} and kernel {@code k}; null when a window does not fit. */
    int[][] resolve(int[] in, int[] k) {
        int nd = rank();
        int[][] r = new int[nd][];
        for (int i = 0; i < nd; i++) {
            r[i] = axis(in[i], k[i], strides[i], dilations[i], pads[i], pads[nd + i]);
            if (r[i] == null) {
                return null;
            }
        }
        return r;
    }

    /** The general N-D geometry for x (N,C,spatial...) and kernel {@code k}, and the trailing pads. */
    record Nd(WindowNd.Geometry g, int[] padEnd) {}

    /**
     * The N-D geometry for {@code x} (N,C,D spatial dims) and kernel dims {@code k}, or a mismatch
     * naming the problem: attributes for another D, or a window that does not fit.
     */
    Nd nd(Op op, int[] x, int[] k) {
        int d = x.length - 2;
        Spatial sp = d >= 1 ? forRank(d) : null;
        if (sp == null || k.length != d) {
            throw op.mismatch("input X has shape " + Arrays.toString(x) + ", expected rank " + (rank() + 2)
                    + " (N, C and " + rank() + " spatial dims" + (k.length != d ? ", like the kernel" : "") + ")");
        }
        int[] in = Arrays.copyOfRange(x, 2, x.length);
        int[][] r = sp.resolve(in, k);
        if (r == null) {
            throw op.mismatch("kernel " + Arrays.toString(k) + " does not fit input " + Arrays.toString(x)
                    + " with the given pads and dilations");
        }
        int[] begin = new int[d];
        int[] end = new int[d];
        int[] out = new int[d];
        for (int i = 0; i < d; i++) {
            begin[i] = r[i][0];
            end[i] = r[i][1];
            out[i] = r[i][2];
        }
        return new Nd(new WindowNd.Geometry(x[0], x[1], in, k, sp.strides, sp.dilations, begin, out), end);
    }

    /** Pads and output size for input h x w and kernel kh x kw; null when the window does not fit. */
    Resolved resolve(int h, int w, int kh, int kw) {
        assert rank() == 2 : label + ": 2-D resolve on " + rank() + "-D attributes";
        int[] a = axis(h, kh, strides[0], dilations[0], pads[0], pads[2]);
        int[] b = axis(w, kw, strides[1], dilations[1], pads[1], pads[3]);
        if (a == null || b == null) {
            return null;
        }
        return new Resolved(a[0], b[0], a[1], b[1], a[2], b[2]);
    }

    // one spatial axis -> {padBegin, padEnd, out}
    private int[] axis(int in, int k, int stride, int dil, int padBegin, int padEnd) {
        int span = (k - 1) * dil + 1;
        switch (autoPad) {
            case SAME_UPPER, SAME_LOWER -> {
                int out = (in + stride - 1) / stride;
                int total = Math.max(0, (out - 1) * stride + span - in);
                int begin = autoPad == AutoPad.SAME_UPPER ? total / 2 : total - total / 2;
                return out < 1 ? null : new int[] {begin, total - begin, out};
            }
            default -> {
                // NOTSET, and VALID: pads are all 0 then (pads with auto_pad is refused), and
                // ceil_mode still applies, as in ONNX Runtime
                long extent = (long) in + padBegin + padEnd - span;
                if (extent < 0) {
                    return null;
                }
                int out = (int) (ceilMode ? (extent + stride - 1) / stride : extent / stride) + 1;
                // ceil_mode: a window that would start in the trailing padding is dropped
                if (ceilMode && (long) (out - 1) * stride >= (long) in + padBegin) {
                    out--;
                }
                return new int[] {padBegin, padEnd, out};
            }
        }
    }
}
