package org.resnet4j.build;

import java.util.LinkedHashMap;
import java.util.Map;
import org.resnet4j.CalibrationMethod;
import org.resnet4j.tensor.Tensor;

/**
 * The ranges a calibration gives the activations of a float model, value by value, from batches of
 * its outputs: memory is two numbers and one histogram of {@value #BINS} bins per value, whatever
 * the number of images.
 *
 * <p>{@link CalibrationMethod#MINMAX} needs one pass over the calibration set (the extremes).
 * {@link CalibrationMethod#PERCENTILE} and {@link CalibrationMethod#ENTROPY} need a second, which fills
 * a histogram over each value's [min, max] from the first: percentile clips the {@value #PERCENTILE}th
 * percentile at both ends; entropy chooses the clipping threshold of |x| whose 255-level quantized
 * histogram is nearest the original in Kullback-Leibler divergence (TensorRT's calibration, as ONNX
 * Runtime's {@code quantize_static} also does it). Every range contains 0, so that 0 (ReLU's floor,
 * padding) is exact; exact zeros are left out of the histograms, where the half of a post-ReLU tensor
 * that is 0 would make KL favour ranges that clip most of the rest.
 */
public final class ActivationRanges {
    static final int BINS = 2048;
    /** The percentile kept at each end by {@link CalibrationMethod#PERCENTILE}. */
    static final double PERCENTILE = 99.999;

    private final Map<String, double[]> minMax = new LinkedHashMap<>();
    private final Map<String, long[]> histograms = new LinkedHashMap<>();

    /** First pass: the extremes of every value. */
    public void observe(Map<String, Tensor> values) {
        for (Map.Entry<String, Tensor> e : values.entrySet()) {
            double[] mm = minMax.computeIfAbsent(e.getKey(), k -> new double[] {0, 0});
            Tensor t = e.getValue();
            for (int i = 0, n = t.numel(); i < n; i++) {
                float v = t.get(i);
                if (v < mm[0]) {
                    mm[0] = v;
                } else if (v > mm[1]) {
                    mm[1] = v;
                }
            }
        }
    }

    /** Second pass (percentile, entropy): each value's histogram over its range from the first. */
    public void histogram(Map<String, Tensor> values) {
        for (Map.Entry<String, Tensor> e : values.entrySet()) {
            double[] mm = minMax.get(e.getKey());
            if (mm == null) {
                throw new IllegalStateException("histogram of " + e.getKey() + " before its range was observed");
            }
            long[] h = histograms.computeIfAbsent(e.getKey(), k -> new long[BINS]);
            double width = (mm[1] - mm[0]) / BINS;
            if (width <= 0) {
                continue;
            }
            Tensor t = e.getValue();
            for (int i = 0, n = t.numel(); i < n; i++) {
                float v = t.get(i);
                if (v == 0) {
                    continue; // exact in every range (zero point); ReLU's many zeros would drown the shape
                }
                int b = (int) ((v - mm[0]) / width);
                h[Math.max(0, Math.min(BINS - 1, b))]++;
            }
        }
    }

    /** Whether {@code method} needs {@link #histogram} after {@link #observe}. */
    public static boolean needsHistograms(CalibrationMethod method) {
        return method != CalibrationMethod.MINMAX;
    }

    /**
     * The clipping range [lo, hi] of every value, lo ≤ 0 ≤ hi. {@code unclipped} keeps its extremes
     * whatever the method: the logits, where clipping the largest values would tie the classes a
     * classifier is most sure of.
     */
    public Map<String, float[]> ranges(CalibrationMethod method, String unclipped) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : minMax.entrySet()) {
            double lo = e.getValue()[0];
            double hi = e.getValue()[1];
            long[] h = histograms.get(e.getKey());
            if (method != CalibrationMethod.MINMAX
                    && h != null
                    && hi > lo
                    && !e.getKey().equals(unclipped)) {
                double width = (hi - lo) / BINS;
                if (method == CalibrationMethod.PERCENTILE) {
                    double[] p = percentiles(h, lo, width);
                    lo = p[0];
                    hi = p[1];
                } else {
                    double t = entropyThreshold(h, lo, width);
                    lo = Math.max(lo, -t);
                    hi = Math.min(hi, t);
                }
            }
            out.put(e.getKey(), new float[] {(float) Math.min(lo, 0), (float) Math.max(hi, 0)});
        }
        return out;
    }

    private static double[] percentiles(long[] h, double lo, double width) {
        long total = 0;
        for (long c : h) {
            total += c;
        }
        double cut = total * (1 - PERCENTILE / 100);
        long below = 0;
        int first = 0;
        while (first < BINS - 1 && below + h[first] <= cut) {
            below += h[first++];
        }
        long above = 0;
        int last = BINS - 1;
        while (last > first && above + h[last] <= cut) {
            above += h[last--];
        }
        return new double[] {lo + first * width, lo + (last + 1) * width};
    }

    /**
     * The threshold t of |x| minimising KL(P || Q), P the histogram of |x| clipped at t (the rest
     * added to its last bin), Q that histogram merged into 255 levels and expanded back over its
     * non-empty bins.
     */
    static double entropyThreshold(long[] h, double lo, double width) {
        // the histogram of |x|, over [0, max |x|] in BINS bins
        double maxAbs = Math.max(Math.abs(lo), Math.abs(lo + BINS * width));
        double absWidth = maxAbs / BINS;
        double[] abs = new double[BINS];
        for (int b = 0; b < BINS; b++) {
            double centre = Math.abs(lo + (b + 0.5) * width);
            abs[Math.min(BINS - 1, (int) (centre / absWidth))] += h[b];
        }
        int levels = 255;
        double bestKl = Double.POSITIVE_INFINITY;
        int best = BINS;
        for (int i = levels; i <= BINS; i++) {
            double[] p = new double[i];
            System.arraycopy(abs, 0, p, 0, i);
            for (int b = i; b < BINS; b++) {
                p[i - 1] += abs[b];
            }
            double[] q = new double[i];
            double per = (double) i / levels;
            for (int j = 0; j < levels; j++) {
                int start = (int) Math.floor(j * per);
                int end = j == levels - 1 ? i : (int) Math.floor((j + 1) * per);
                double sum = 0;
                int nonEmpty = 0;
                for (int b = start; b < end; b++) {
                    sum += abs[b];
                    nonEmpty += abs[b] > 0 ? 1 : 0;
                }
                for (int b = start; b < end; b++) {
                    q[b] = abs[b] > 0 ? sum / nonEmpty : 0;
                }
            }
            double kl = divergence(p, q);
            if (kl < bestKl) {
                bestKl = kl;
                best = i;
            }
        }
        return best * absWidth;
    }

    private static double divergence(double[] p, double[] q) {
        double ps = 0;
        double qs = 0;
        for (int i = 0; i < p.length; i++) {
            ps += p[i];
            qs += q[i];
        }
        if (ps == 0 || qs == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                double pi = p[i] / ps;
                double qi = q[i] / qs;
                kl += qi > 0 ? pi * Math.log(pi / qi) : pi * 50; // an empty Q bin where P has mass: heavily penalised
            }
        }
        return kl;
    }
}
