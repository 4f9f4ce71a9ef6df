package org.resnet4j.vision;

import java.nio.file.Path;
import java.util.Locale;
import org.resnet4j.tensor.Tensor;

/** Shared helpers of the vision tests. */
final class VisionTesting {
    private VisionTesting() {}

    /** The repository root (surefire sets RESNET4J_ROOT; an IDE runs from the root). */
    static Path root() {
        String env = System.getenv("RESNET4J_ROOT");
        return Path.of(env != null ? env : ".").toAbsolutePath().normalize();
    }

    static Path images() {
        return root().resolve("testdata").resolve("images");
    }

    /**
     * A file is decoded by another decoder than PIL's, which may round differently: JPEG (the JDK's
     * libjpeg 6b, not libjpeg-turbo). Lossy WebP is decoded as libwebp does and is exact.
     */
    static boolean lossy(String name) {
        return name.endsWith(".jpg");
    }

    /** tools/pil_reference.py commits the expected crops of lossy formats (JPEG, lossy.webp) for v1 only. */
    static boolean v1Only(String name) {
        return name.endsWith(".jpg") || name.equals("lossy.webp");
    }

    /** Statistics of a - b over all elements. */
    record Diff(double maxAbs, double meanAbs, int differing, int count) {
        static Diff of(float[] a, float[] b) {
            if (a.length != b.length) {
                throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
            }
            double max = 0;
            double sum = 0;
            int n = 0;
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs((double) a[i] - b[i]);
                if (Double.isNaN(d)) {
                    d = Double.POSITIVE_INFINITY;
                }
                max = Math.max(max, d);
                sum += d;
                if (d != 0) {
                    n++;
                }
            }
            return new Diff(max, sum / a.length, n, a.length);
        }

        static Diff of(Tensor a, Tensor b) {
            if (!java.util.Arrays.equals(a.shape(), b.shape())) {
                throw new AssertionError("shapes differ: " + java.util.Arrays.toString(a.shape()) + " vs "
                        + java.util.Arrays.toString(b.shape()));
            }
            return of(a.toArray(), b.toArray());
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "max |diff| %.3g, mean |diff| %.3g, %d of %d values differ",
                    maxAbs,
                    meanAbs,
                    differing,
                    count);
        }
    }
}
