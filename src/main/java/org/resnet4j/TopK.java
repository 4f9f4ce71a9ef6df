package org.resnet4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.resnet4j.tensor.Tensor;

/** Logits to top-k {@link Prediction}s: softmax in double, classes ordered by probability, then index. */
final class TopK {
    private TopK() {}

    /**
     * Each row's {@code k} largest softmax probabilities, highest first (ties: lower index first);
     * fewer when the model has fewer classes.
     */
    static List<List<Prediction>> of(Tensor logits, int k, List<String> labels) {
        int rows = logits.dim(0);
        int classes = logits.dim(1);
        float[] data = logits.toArray();
        List<List<Prediction>> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            double[] p = softmax(data, r * classes, classes);
            Integer[] order = new Integer[classes];
            for (int i = 0; i < classes; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
            List<Prediction> top = new ArrayList<>();
            for (int i = 0; i < Math.min(k, classes); i++) {
                int c = order[i];
                top.add(new Prediction(c, labels.get(c), p[c]));
            }
            out.add(List.copyOf(top));
        }
        return out;
    }

    /** Softmax of {@code n} logits from {@code offset}, in double, max-subtracted for stability. */
    static double[] softmax(float[] logits, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[offset + i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
