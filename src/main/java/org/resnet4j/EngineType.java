package org.resnet4j;

import java.util.Locale;

/** Which engine runs a model. */
public enum EngineType {
    /** ONNX Runtime, native; CPU or, with its GPU build, CUDA. */
    ONNX_RUNTIME("ort"),
    /** resnet4j's pure-Java engine, CPU only (SIMD kernels with {@code --add-modules jdk.incubator.vector}). */
    JAVA("java");

    private final String label;

    EngineType(String label) {
        this.label = label;
    }

    /** The short name the command line uses: {@code ort} or {@code java}. */
    public String label() {
        return label;
    }

    /**
     * The engine by its short name, {@code ort} or {@code java}, case-insensitive.
     *
     * @throws IllegalArgumentException for any other name (the message lists them)
     */
    public static EngineType parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (EngineType t : values()) {
            if (t.label.equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "', expected one of ort, java");
    }
}
