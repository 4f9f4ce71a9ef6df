package org.resnet4j;

import java.util.Locale;

/** How a calibration turns the activations it saw into the ranges an int8 model quantizes with. */
public enum CalibrationMethod {
    /** The extremes seen: nothing clipped, coarsest steps when a few values are far out. */
    MINMAX("minmax"),
    /** The 99.999th percentile at each end: clips the rarest outliers. */
    PERCENTILE("percentile"),
    /** The clipping of |x| whose 8-bit histogram loses the least information (KL divergence, as TensorRT). */
    ENTROPY("entropy");

    private final String label;

    CalibrationMethod(String label) {
        this.label = label;
    }

    /** The command line's name: {@code minmax}, {@code percentile} or {@code entropy}. */
    public String label() {
        return label;
    }

    /**
     * The method by its name, case-insensitive.
     *
     * @throws IllegalArgumentException for any other name (the message lists them)
     */
    public static CalibrationMethod parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (CalibrationMethod m : values()) {
            if (m.label.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "unknown calibration method '" + name + "', expected one of minmax, percentile, entropy");
    }
}
