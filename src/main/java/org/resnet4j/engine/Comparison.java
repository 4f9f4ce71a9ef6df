package org.resnet4j.engine;

import java.util.Arrays;
import java.util.Locale;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.tensor.Tensor;

/**
 * How far one output is from a reference, in the project's one parity measure: the max absolute
 * difference, the relative error {@code max|ours - ref| / max|ref|}, and how many rows (first
 * dimension) have the same argmax. The CLI's parity report, the demo, and every test that compares
 * numbers (op tests, engine tests, torchvision parity) use this record, so a figure means the same
 * thing wherever it is printed. Values of any tensor type are compared as doubles.
 *
 * <p>A quantized model's outputs tie: two logits a quantization step apart are as likely to swap as
 * not. {@link #of(String, Tensor, Tensor, double)} therefore compares the argmax only on rows where
 * the reference's top value leads the runner-up by more than a given margin, and counts the others as
 * {@code tied}.
 *
 * @param maxAbs      max |ours - ref| (NaN when either side has a NaN)
 * @param maxRef      max |ref|
 * @param rows        rows whose argmax is compared (first dimension, 1 for scalars; less the tied rows)
 * @param argmaxAgree of those, rows whose argmax is the same in both
 * @param tied        rows left out of the argmax comparison: the reference's lead is within the margin
 */
public record Comparison(double maxAbs, double maxRef, int rows, int argmaxAgree, int tied) {

    /** Compares {@code ours} with {@code ref}; shapes must be equal ({@code what} names them in the error). */
    public static Comparison of(String what, Tensor ours, Tensor ref) {
        return of(what, ours, ref, -1);
    }

    /**
     * As {@link #of(String, Tensor, Tensor)}, comparing the argmax only on rows where the reference's
     * top value exceeds every other by more than {@code minLead} (a negative margin: every row).
     */
    public static Comparison of(String what, Tensor ours, Tensor ref, double minLead) {
        if (!Arrays.equals(ours.shape(), ref.shape())) {
            throw new MismatchException(what + ": shapes differ: " + Shapes.format(ours.shape()) + " vs reference "
                    + Shapes.format(ref.shape()));
        }
        int rows = ref.rank() == 0 ? 1 : Math.max(ref.dim(0), 1);
        int cols = ref.numel() / Math.max(rows, 1);
        int agree = 0;
        int tied = 0;
        for (int r = 0; r < rows && cols > 0; r++) {
            int top = argmax(ref, r * cols, cols);
            if (minLead >= 0 && lead(ref, r * cols, cols, top) <= minLead) {
                tied++;
            } else if (argmax(ours, r * cols, cols) == top) {
                agree++;
            }
        }
        if (cols == 0) {
            agree = rows; // nothing to disagree about
        }
        double maxAbs = 0;
        for (int i = 0; i < ref.numel(); i++) {
            double d = Math.abs(ours.getDouble(i) - ref.getDouble(i));
            maxAbs = Double.isNaN(d) ? Double.NaN : Math.max(maxAbs, d);
            if (Double.isNaN(maxAbs)) {
                break;
            }
        }
        return new Comparison(maxAbs, ref.maxAbs(), rows - tied, agree, tied);
    }

    /** {@code maxAbs / maxRef} (0 when both are 0, infinite when only the reference is all zeros). */
    public double relative() {
        return maxRef == 0 ? (maxAbs == 0 ? 0 : Double.POSITIVE_INFINITY) : maxAbs / maxRef;
    }

    /** The numbers agree: {@code maxAbs <= atol + rtol * maxRef} (false with a NaN). */
    public boolean close(double rtol, double atol) {
        return maxAbs <= atol + rtol * maxRef;
    }

    /** Within tolerance: {@link #close} and every row's argmax agrees (the parity verdict for logits). */
    public boolean within(double rtol, double atol) {
        return close(rtol, atol) && argmaxAgree == rows;
    }

    /** {@code max abs 1.192e-07  rel 2.162e-08  argmax 2/2}, with {@code  (1 tied)} when rows tied. */
    public String describe() {
        return String.format(Locale.ROOT, "max abs %.3e  rel %.3e  argmax %d/%d", maxAbs, relative(), argmaxAgree, rows)
                + (tied > 0 ? " (" + tied + " tied)" : "");
    }

    /** How far the top value (at {@code top}) exceeds the largest other one; infinite for one column. */
    private static double lead(Tensor t, int from, int n, int top) {
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (i != top) {
                second = Math.max(second, t.getDouble(from + i));
            }
        }
        return t.getDouble(from + top) - second;
    }

    private static int argmax(Tensor t, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (t.getDouble(from + i) > t.getDouble(from + best)) {
                best = i;
            }
        }
        return best;
    }
}
