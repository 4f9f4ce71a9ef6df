package org.resnet4j.engine;

import java.util.Arrays;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.tensor.Shapes;
import org.resnet4j.tensor.Tensor;

/**
 * How far one output is from a reference, in the project's measure: the max absolute difference,
 * the relative error {@code max|ours - ref| / max|ref|}, and how many rows (first dimension) have
 * the same argmax.
 *
 * @param maxAbs      max |ours - ref|
 * @param maxRef      max |ref|
 * @param rows        rows compared (first dimension; 1 for scalars)
 * @param argmaxAgree rows whose argmax is the same in both
 */
public record Comparison(double maxAbs, double maxRef, int rows, int argmaxAgree) {

    public static Comparison of(String what, Tensor ours, Tensor ref) {
        if (!Arrays.equals(ours.shape(), ref.shape())) {
            throw new MismatchException(what + ": shapes differ: " + Shapes.format(ours.shape()) + " vs reference "
                    + Shapes.format(ref.shape()));
        }
        int rows = ref.rank() == 0 ? 1 : Math.max(ref.dim(0), 1);
        int cols = ref.numel() / Math.max(rows, 1);
        int agree = 0;
        for (int r = 0; r < rows && cols > 0; r++) {
            if (argmax(ours, r * cols, cols) == argmax(ref, r * cols, cols)) {
                agree++;
            }
        }
        return new Comparison(Tensor.maxAbsDiff(ours, ref), ref.maxAbs(), rows, agree);
    }

    /** {@code maxAbs / maxRef} (0 when both are 0). */
    public double relative() {
        return maxRef == 0 ? (maxAbs == 0 ? 0 : Double.POSITIVE_INFINITY) : maxAbs / maxRef;
    }

    /** Within tolerance: {@code maxAbs <= atol + rtol * maxRef}, and every argmax agrees. */
    public boolean within(double rtol, double atol) {
        return maxAbs <= atol + rtol * maxRef && argmaxAgree == rows;
    }

    private static int argmax(Tensor t, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (t.get(from + i) > t.get(from + best)) {
                best = i;
            }
        }
        return best;
    }
}
