package org.resnet4j.engine.jvm.ops;

import java.util.Arrays;

/**
 * The window attributes Conv and the pools share (kernel_shape, strides, dilations, pads,
 * auto_pad, ceil_mode), checked at compile time and resolved against an input's H and W.
 * Only two spatial dimensions are supported.
 */
final class Spatial {
    enum AutoPad { NOTSET, SAME_UPPER, SAME_LOWER, VALID }

    final int[] kernel; // null for Conv without kernel_shape: taken from the weight
    final int[] strides;
    final int[] dilations;
    final int[] pads; // top, left, bottom, right
    final AutoPad autoPad;
    final boolean ceilMode;

    /** The resolved geometry for one input: leading/trailing pads and the output size. */
    record Resolved(int padT, int padL, int padB, int padR, int oh, int ow) {}

    Spatial(NodeSpec s, boolean kernelRequired, boolean allowDilations, boolean allowCeil) {
        long[] k = s.ints("kernel_shape");
        if (k == null && kernelRequired) {
            throw s.refuse("attribute kernel_shape is required");
        }
        kernel = k == null ? null : positive(s, "kernel_shape", k);
        strides = s.has("strides") ? positive(s, "strides", s.ints("strides")) : new int[] {1, 1};
        long[] d = s.ints("dilations");
        if (d != null && !allowDilations) {
            throw s.refuse("attribute dilations needs opset 19 or later for this op");
        }
        dilations = d == null ? new int[] {1, 1} : positive(s, "dilations", d);
        String ap = s.s("auto_pad", "NOTSET");
        try {
            autoPad = AutoPad.valueOf(ap);
        } catch (IllegalArgumentException e) {
            throw s.refuse("auto_pad '" + ap + "' is not supported, expected one of " + Arrays.toString(AutoPad.values()));
        }
        long[] p = s.ints("pads");
        if (p != null && autoPad != AutoPad.NOTSET) {
            throw s.refuse("pads cannot be used together with auto_pad=" + autoPad);
        }
        if (p == null) {
            pads = new int[4];
        } else {
            if (p.length != 4) {
                throw s.refuse("pads has " + p.length + " values, expected 4 (only 2-D windows are supported)");
            }
            pads = new int[4];
            for (int i = 0; i < 4; i++) {
                if (p[i] < 0 || p[i] > Integer.MAX_VALUE / 4) {
                    throw s.refuse("pads " + Arrays.toString(p) + " must be non-negative");
                }
                pads[i] = (int) p[i];
            }
        }
        long ceil = allowCeil ? s.oneOf("ceil_mode", 0, 0, 1) : 0;
        ceilMode = ceil == 1;
    }

    private static int[] positive(NodeSpec s, String name, long[] v) {
        if (v.length != 2) {
            throw s.refuse(name + " has " + v.length + " values, expected 2 (only 2-D windows are supported)");
        }
        int[] out = new int[2];
        for (int i = 0; i < 2; i++) {
            if (v[i] < 1 || v[i] > Integer.MAX_VALUE / 4) {
                throw s.refuse(name + " " + Arrays.toString(v) + " must be positive");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    /** Pads and output size for input h x w and kernel kh x kw; null when the window does not fit. */
    Resolved resolve(int h, int w, int kh, int kw) {
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
