package org.resnet4j.spark;

import java.io.Serializable;
import java.util.Locale;
import org.resnet4j.ImageTransform;

/**
 * Everything that decides which model a task runs: the weights (a Hadoop path), the architecture
 * (a preset name, a spec as JSON, or neither: inferred from the weights), the preprocessing preset,
 * the engine and its threads. Shipped to executors inside task closures and used as the key of the
 * per-JVM {@link ModelCache}: equal settings share one loaded model.
 *
 * @param weights  a Hadoop path ({@code file:}, {@code hdfs:}, {@code s3a:}, or a path on the default file system)
 * @param arch     a torchvision preset name, or null
 * @param spec     a block spec as JSON text, or null
 * @param preset   {@code v1} or {@code v2}
 * @param engine   {@code ort} or {@code java}
 * @param threads  intra-op threads per task (0: the engine's default, all cores)
 */
record ModelSettings(String weights, String arch, String spec, String preset, String engine, int threads)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public ModelSettings {
        if (weights == null || weights.isBlank()) {
            throw new IllegalArgumentException("no weights path given");
        }
        if (arch != null && spec != null) {
            throw new IllegalArgumentException("give either an architecture or a spec, not both");
        }
        try {
            ImageTransform.preset(preset);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        engine = engine.toLowerCase(Locale.ROOT);
        if (!engine.equals("ort") && !engine.equals("java")) {
            throw new IllegalArgumentException("unknown engine '" + engine + "', expected ort or java");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads per task is " + threads + ", expected 0 (all cores) or more");
        }
    }
}
