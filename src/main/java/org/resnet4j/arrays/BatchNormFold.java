package org.resnet4j.arrays;

/**
 * The arithmetic of folding an inference BatchNorm into the convolution before it, shared by the
 * exporter ({@code graph.BatchNormFolding}, folding a checkpoint's tensors) and the Java engine's
 * load-time fusion (folding an ONNX graph's constants), so both give the same floats:
 * {@code s = gamma / sqrt(var + eps)}, {@code W'[o] = W[o]·s[o]}, {@code b'[o] = beta[o] + (b[o] - mean[o])·s[o]}
 * (b the convolution's bias, 0 when it has none). Computed in double and rounded once.
 */
public final class BatchNormFold {
    private BatchNormFold() {}

    // gamma, var (OC) -> s (OC) = gamma / sqrt(var + eps), in double
    public static double[] scale(float[] gamma, float[] var, float eps) {
        double[] s = new double[gamma.length];
        for (int o = 0; o < s.length; o++) {
            s[o] = gamma[o] / Math.sqrt((double) var[o] + eps);
        }
        return s;
    }

    // w (OC, per), s (OC) -> w' (OC, per) = w·s per output channel
    public static float[] weight(float[] w, double[] s) {
        int per = w.length / Math.max(1, s.length);
        float[] out = new float[w.length];
        for (int o = 0; o < s.length; o++) {
            for (int i = o * per; i < (o + 1) * per; i++) {
                out[i] = (float) (w[i] * s[o]);
            }
        }
        return out;
    }

    // b (OC) or null, beta, mean, s (OC) -> b' (OC) = beta + (b - mean)·s
    public static float[] bias(float[] b, float[] beta, float[] mean, double[] s) {
        float[] out = new float[s.length];
        for (int o = 0; o < s.length; o++) {
            double conv = b == null ? 0 : b[o];
            out[o] = (float) (beta[o] + (conv - mean[o]) * s[o]);
        }
        return out;
    }
}
