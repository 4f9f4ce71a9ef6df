package org.resnet4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.resnet4j.tensor.Tensor;

/** The project's parity measure, reported and asserted: max |ours - ref| / max |ref|, plus argmax agreement. */
public final class Parity {
    /** Our promise for fp32 weights against torchvision. */
    public static final double TORCH_TOLERANCE = 1e-5;

    private Parity() {}

    public static double relativeError(Tensor ours, Tensor ref) {
        return Tensor.maxAbsDiff(ours, ref) / Math.max(ref.maxAbs(), Float.MIN_NORMAL);
    }

    /** Asserts shape, relative error and per-row argmax; appends the figure to target/parity-report.txt. */
    public static double assertClose(String what, Tensor ours, Tensor ref, double tolerance) {
        assertArrayEquals(ref.shape(), ours.shape(), what + ": shape");
        double rel = relativeError(ours, ref);
        double abs = Tensor.maxAbsDiff(ours, ref);
        String line = String.format(Locale.ROOT, "%-60s rel %.3e  abs %.3e  max|ref| %.3e", what, rel, abs, ref.maxAbs());
        System.out.println("parity: " + line);
        record(line);
        assertTrue(rel <= tolerance, what + ": relative error " + rel + " (max abs diff " + abs + ") exceeds " + tolerance);
        int rows = ref.dim(0);
        int cols = ref.numel() / rows;
        for (int r = 0; r < rows; r++) {
            int a = argmax(ours, r * cols, cols);
            int b = argmax(ref, r * cols, cols);
            assertTrue(a == b, what + ": argmax of row " + r + " is " + a + ", reference says " + b);
        }
        return rel;
    }

    static int argmax(Tensor t, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (t.get(from + i) > t.get(from + best)) {
                best = i;
            }
        }
        return best;
    }

    private static synchronized void record(String line) {
        try {
            Path report = PythonReference.root().resolve("target/parity-report.txt");
            Files.createDirectories(report.getParent());
            Files.writeString(report, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the report is a convenience; the assertion above is what counts
        }
    }
}
