package org.resnet4j;

import java.util.Locale;

/** Where a model runs. */
public enum Device {
    /** The CPU: both engines. */
    CPU,
    /** An NVIDIA GPU through ONNX Runtime's CUDA provider: its GPU build only (CUDA 12, cuDNN 9). */
    CUDA;

    /** The short name the command line uses: {@code cpu} or {@code cuda}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The device by its short name, {@code cpu} or {@code cuda}, case-insensitive.
     *
     * @throws IllegalArgumentException for any other name (the message lists them)
     */
    public static Device parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown device '" + name + "', expected one of cpu, cuda");
        }
    }
}
