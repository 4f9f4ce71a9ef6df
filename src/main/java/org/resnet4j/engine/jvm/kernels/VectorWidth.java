package org.resnet4j.engine.jvm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector width every Vector API kernel of this JVM runs at, read once from
 * {@code -Dresnet4j.vectorBits=128|256|512}; unset, the CPU's preferred width. Every kernel takes its
 * species and its lanes from here, so a test JVM forced to another width runs every kernel at that
 * width on any host: a species wider than the hardware is computed correctly by the Vector API, only
 * without the vector instructions, many times slower. The default is the preferred width because it
 * measured fastest: on a 2-core Zen 4 (AVX-512) resnet50 at batch 8 ran in 327-449 ms at 512 bits against
 * 565-723 ms at 256. Loaded only when {@code jdk.incubator.vector} is present ({@link Kernels} checks
 * first).
 */
public final class VectorWidth {
    /** The system property that forces the width, in bits: 128, 256 or 512. */
    public static final String PROPERTY = "resnet4j.vectorBits";

    /** The width the CPU runs natively, in bits: 512 with AVX-512, 256 with AVX2, 128 with NEON or SSE. */
    public static final int PREFERRED_BITS = FloatVector.SPECIES_PREFERRED.vectorBitSize();

    /** What is wrong with the property's value, or null: a bad value leaves the default in place. */
    static final String PROBLEM;

    /** The width in use, in bits. */
    public static final int BITS;

    /** True when the property chose {@link #BITS} rather than the CPU. */
    public static final boolean FORCED;

    static {
        String value = System.getProperty(PROPERTY);
        int bits = PREFERRED_BITS;
        String problem = null;
        if (value != null && !value.isBlank()) {
            int asked = -1;
            try {
                asked = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                // reported below
            }
            if (asked == 128 || asked == 256 || asked == 512) {
                bits = asked;
            } else {
                problem = "-D" + PROPERTY + " is '" + value + "': expected 128, 256 or 512 (bits per vector),"
                        + " or unset for this CPU's " + PREFERRED_BITS;
            }
        }
        PROBLEM = problem;
        BITS = bits;
        FORCED = bits != PREFERRED_BITS || problem == null && value != null && !value.isBlank();
    }

    /** The species of every kernel: floats, {@link #BITS} wide. */
    public static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.vectorBitSize() == BITS
            ? FloatVector.SPECIES_PREFERRED
            : VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));

    /** Floats per vector: 4, 8 or 16. */
    public static final int L = FLOATS.length();

    private VectorWidth() {}
}
