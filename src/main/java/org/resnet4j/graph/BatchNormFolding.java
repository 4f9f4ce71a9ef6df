package org.resnet4j.graph;

import org.resnet4j.arrays.BatchNormFold;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * Folds an inference BatchNorm of a checkpoint into the bias-free Conv before it, with the arithmetic
 * the Java engine's fusion uses too ({@link BatchNormFold}: double, rounded once), so the folded model
 * differs from the unfolded one only by fp32 rounding of the convolution sums.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {}

    static double[] scale(StateDict sd, String bn, float eps) {
        return BatchNormFold.scale(
                sd.get(bn + ".weight").toArray(), sd.get(bn + ".running_var").toArray(), eps);
    }

    // w (OC, IC/g, kH, kW), s (OC) -> w' (OC, IC/g, kH, kW)
    public static Tensor weight(StateDict sd, String convWeight, String bn, float eps) {
        Tensor w = sd.get(convWeight);
        return Tensor.of(w.shape(), BatchNormFold.weight(w.toArray(), scale(sd, bn, eps)));
    }

    // beta, mean, s (OC) -> b' (OC)
    public static Tensor bias(StateDict sd, String bn, float eps) {
        double[] s = scale(sd, bn, eps);
        float[] b = BatchNormFold.bias(
                null,
                sd.get(bn + ".bias").toArray(),
                sd.get(bn + ".running_mean").toArray(),
                s);
        return Tensor.of(new int[] {s.length}, b);
    }
}
