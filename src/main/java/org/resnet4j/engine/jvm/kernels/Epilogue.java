package org.resnet4j.engine.jvm.kernels;

/**
 * What a GEMM does to C as it stores it, so that Conv+bias, Conv+Relu and Conv+Add+Relu write each
 * activation once: {@code c[i,j] = relu?(c[i,j] + bias[i] + residual[i,j])}, in that order. Any
 * part may be absent (null bias, null residual, relu false).
 */
public record Epilogue(float[] bias, int biasOff, float[] residual, int resOff, int ldr, boolean relu) {
    public static final Epilogue NONE = new Epilogue(null, 0, null, 0, 0, false);

    public boolean isNone() {
        return bias == null && residual == null && !relu;
    }

    /** The same epilogue for the sub-block starting at row {@code i}, column {@code j}. */
    public Epilogue at(int i, int j) {
        return isNone() ? this : new Epilogue(bias, biasOff + i, residual, resOff + i * ldr + j, ldr, relu);
    }

    /** The value stored for row {@code i} (relative) and column {@code j}, given the GEMM sum {@code v}. */
    public float apply(float v, int i, int j) {
        if (bias != null) {
            v += bias[biasOff + i];
        }
        if (residual != null) {
            v += residual[resOff + i * ldr + j];
        }
        return relu ? Math.max(v, 0f) : v;
    }

    // c (M,N) ldc, in place: the separate pass for kernels that do not fuse the epilogue
    public void applyTo(int m, int n, float[] c, int cOff, int ldc, Parallel par) {
        if (isNone()) {
            return;
        }
        par.forRange(m, Math.max(1, Parallel.ELEMENTWISE_GRAIN / Math.max(1, n)), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int row = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[row + j] = apply(c[row + j], i, j);
                }
            }
        });
    }
}
