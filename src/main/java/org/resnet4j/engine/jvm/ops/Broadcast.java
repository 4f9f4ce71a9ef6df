package org.resnet4j.engine.jvm.ops;

/** NumPy multidirectional broadcasting over flat C-order arrays. */
final class Broadcast {
    private Broadcast() {}

    @FunctionalInterface
    interface FloatOp {
        float apply(float a, float b);
    }

    /** The broadcast shape of a and b, or null when they are incompatible. */
    static int[] shape(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** True when {@code from} broadcasts to {@code to} without changing {@code to} (unidirectional). */
    static boolean unidirectional(int[] from, int[] to) {
        int[] s = shape(from, to);
        return s != null && java.util.Arrays.equals(s, to);
    }

    /** Strides of {@code shape} right-aligned to {@code out}, 0 where it broadcasts. */
    static int[] strides(int[] shape, int[] out) {
        int r = out.length;
        int[] st = new int[r];
        int s = 1;
        for (int i = r - 1; i >= 0; i--) {
            int j = i - (r - shape.length);
            int d = j < 0 ? 1 : shape[j];
            st[i] = d == 1 ? 0 : s;
            s *= d;
        }
        return st;
    }

    /** Receives output index {@code i} and the flat indices of a and b it reads. */
    @FunctionalInterface
    interface IndexOp {
        void apply(int i, int ia, int ib);
    }

    // a (broadcast to out), b (broadcast to out) -> y (out)
    static void binary(int[] out, int[] aShape, float[] a, int[] bShape, float[] b, float[] y, FloatOp op) {
        walk(out, aShape, bShape, (i, ia, ib) -> y[i] = op.apply(a[ia], b[ib]));
    }

    /** Calls {@code op} for every element of {@code out} with the a and b elements it reads, in C order. */
    static void walk(int[] out, int[] aShape, int[] bShape, IndexOp op) {
        int r = out.length;
        int total = org.resnet4j.arrays.Shapes.numel(out);
        if (total == 0) {
            return;
        }
        if (r == 0) {
            op.apply(0, 0, 0);
            return;
        }
        int[] sa = strides(aShape, out);
        int[] sb = strides(bShape, out);
        int inner = out[r - 1];
        int[] idx = new int[r];
        int ia = 0;
        int ib = 0;
        for (int base = 0; base < total; base += inner) {
            int pa = ia;
            int pb = ib;
            for (int j = 0; j < inner; j++) {
                op.apply(base + j, pa, pb);
                pa += sa[r - 1];
                pb += sb[r - 1];
            }
            // advance the outer index (dims 0..r-2), odometer style
            for (int d = r - 2; d >= 0; d--) {
                idx[d]++;
                ia += sa[d];
                ib += sb[d];
                if (idx[d] < out[d]) {
                    break;
                }
                ia -= sa[d] * out[d];
                ib -= sb[d] * out[d];
                idx[d] = 0;
            }
        }
    }
}
