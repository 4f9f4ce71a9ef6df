package org.resnet4j.engine.jvm.kernels;

/**
 * Small row loops shared by kernels, on the Vector API when {@link Kernels} chose the vector path,
 * else scalar. Both give the same results.
 */
final class Rows {
    private Rows() {}

    /**
     * max where NaN wins, without Math.max's slow intrinsic (3x slower here): a compare C2 turns into
     * a select. Between +0 and -0 the first wins (Math.max and the vector MAX prefer +0: equal values).
     */
    static float max(float m, float v) {
        return v > m || v != v ? v : m;
    }

    // acc (n), x (n) at xOff -> acc = max(acc, x)
    static void max(float[] acc, float[] x, int xOff, int n) {
        if (Kernels.VECTOR) {
            VectorRows.max(acc, x, xOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            acc[i] = max(acc[i], x[xOff + i]);
        }
    }
}
