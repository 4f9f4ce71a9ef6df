package org.resnet4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.resnet4j.engine.Comparison;
import org.resnet4j.tensor.Tensor;

/** The project's parity measure ({@link Comparison}) asserted in tests and logged to target/parity-report.txt. */
public final class Parity {
    /** Our promise for fp32 weights against torchvision. */
    public static final double TORCH_TOLERANCE = 1e-5;

    private Parity() {}

    /** {@link Comparison#relative()}: max |ours - ref| / max |ref|. */
    public static double relativeError(Tensor ours, Tensor ref) {
        return Comparison.of("parity", ours, ref).relative();
    }

    /**
     * Asserts shape, relative error ({@link Comparison#within} with {@code tolerance} and no absolute
     * slack) and per-row argmax; appends the figure to target/parity-report.txt. Returns the relative error.
     */
    public static double assertClose(String what, Tensor ours, Tensor ref, double tolerance) {
        assertArrayEquals(ref.shape(), ours.shape(), what + ": shape");
        Comparison c = Comparison.of(what, ours, ref);
        String line = String.format(
                Locale.ROOT, "%-60s rel %.3e  abs %.3e  max|ref| %.3e", what, c.relative(), c.maxAbs(), c.maxRef());
        System.out.println("parity: " + line);
        record(line);
        assertTrue(
                c.close(tolerance, 0),
                what + ": relative error " + c.relative() + " (max abs diff " + c.maxAbs() + ") exceeds " + tolerance);
        assertTrue(
                c.within(tolerance, 0), what + ": argmax agrees in " + c.argmaxAgree() + " of " + c.rows() + " rows");
        return c.relative();
    }

    private static synchronized void record(String line) {
        try {
            Path report = PythonReference.root().resolve("target/parity-report.txt");
            Files.createDirectories(report.getParent());
            Files.writeString(
                    report, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the report is a convenience; the assertion above is what counts
        }
    }
}
