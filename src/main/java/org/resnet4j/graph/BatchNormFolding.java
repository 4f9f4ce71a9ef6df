package org.resnet4j.graph;

import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * Folds an inference BatchNorm into the bias-free Conv before it:
 * {@code s = gamma / sqrt(var + eps)}, {@code W'[o] = W[o] * s[o]}, {@code b'[o] = beta[o] - mean[o] * s[o]}.
 * Computed in double and rounded once, so the folded model differs from the unfolded one only by
 * fp32 rounding of the convolution sums.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {}

    static double[] scale(StateDict sd, String bn, float eps) {
        Tensor gamma = sd.get(bn + ".weight");
        Tensor var = sd.get(bn + ".running_var");
        double[] s = new double[gamma.numel()];
        for (int o = 0; o < s.length; o++) {
            s[o] = gamma.get(o) / Math.sqrt((double) var.get(o) + eps);
        }
        return s;
    }

    // w (OC, IC/g, kH, kW), s (OC) -> w' (OC, IC/g, kH, kW)
    public static Tensor weight(StateDict sd, String convWeight, String bn, float eps) {
        Tensor w = sd.get(convWeight);
        double[] s = scale(sd, bn, eps);
        int per = w.numel() / s.length;
        float[] out = new float[w.numel()];
        for (int o = 0; o < s.length; o++) {
            for (int i = 0; i < per; i++) {
                out[o * per + i] = (float) (w.get(o * per + i) * s[o]);
            }
        }
        return Tensor.of(w.shape(), out);
    }

    // beta, mean, s (OC) -> b' (OC)
    public static Tensor bias(StateDict sd, String bn, float eps) {
        Tensor beta = sd.get(bn + ".bias");
        Tensor mean = sd.get(bn + ".running_mean");
        double[] s = scale(sd, bn, eps);
        float[] out = new float[s.length];
        for (int o = 0; o < s.length; o++) {
            out[o] = (float) (beta.get(o) - mean.get(o) * s[o]);
        }
        return Tensor.of(new int[] {s.length}, out);
    }
}
