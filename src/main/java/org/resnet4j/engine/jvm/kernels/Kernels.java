package org.resnet4j.engine.jvm.kernels;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which kernels the engine uses: the Vector API kernels when the {@code jdk.incubator.vector} module is
 * present (the launcher adds it) and {@code -Dresnet4j.scalar=true} is not set, at the width of
 * {@link VectorWidth}; else the blocked scalar GEMM. Decided once per JVM; when the module is missing,
 * one warning says so (the scalar path is about 20 times slower, and nothing else would tell).
 */
public final class Kernels {
    /** Set to {@code true} to force the scalar path (tests run the parity suite on it). */
    public static final String SCALAR_PROPERTY = "resnet4j.scalar";

    /** True when the vector kernels are in use (row helpers follow the GEMM's choice). */
    static final boolean VECTOR;

    /** The vector width in bits, 0 on the scalar path. */
    private static final int BITS;

    /** What is wrong with {@code -Dresnet4j.vectorBits}, or null. */
    private static final String WIDTH_PROBLEM;

    private static final Sgemm DEFAULT;
    private static final String PATH;
    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);

    static {
        boolean forced = Boolean.getBoolean(SCALAR_PROPERTY);
        boolean vectorModule =
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        Sgemm vector = null;
        String why;
        int bits = 0;
        String widthProblem = null;
        if (forced) {
            why = "scalar (forced by -D" + SCALAR_PROPERTY + "=true)";
        } else if (!vectorModule) {
            why = "scalar (jdk.incubator.vector absent: run with --add-modules jdk.incubator.vector)";
        } else {
            try {
                // by name, so that a JVM without the module never links the Vector API classes
                vector = (Sgemm) Class.forName("org.resnet4j.engine.jvm.kernels.VectorSgemm")
                        .getField("INSTANCE")
                        .get(null);
            } catch (ReflectiveOperationException | LinkageError e) {
                vector = null;
            }
            if (vector == null) {
                why = "scalar (the Vector API kernel failed to load)";
            } else {
                bits = VectorWidth.BITS;
                widthProblem = VectorWidth.PROBLEM;
                why = "vector " + bits + "-bit ("
                        + (VectorWidth.FORCED ? "forced by -D" + VectorWidth.PROPERTY + "; " : "")
                        + "this CPU's preferred width is " + VectorWidth.PREFERRED_BITS + ")";
                if (bits > VectorWidth.PREFERRED_BITS) {
                    LOG.warn(
                            "the Java engine's vectors are {} bits, wider than this CPU's {}: correct, but computed"
                                    + " without vector instructions, many times slower (-D{})",
                            bits,
                            VectorWidth.PREFERRED_BITS,
                            VectorWidth.PROPERTY);
                }
            }
        }
        if (!forced && vector == null) {
            LOG.warn("the Java engine runs its scalar GEMM, about 20 times slower than the Vector API kernel: {}", why);
        }
        DEFAULT = vector != null ? vector : BlockedSgemm.INSTANCE;
        VECTOR = vector != null;
        BITS = bits;
        WIDTH_PROBLEM = widthProblem;
        PATH = why + ": gemm " + DEFAULT.name();
    }

    private Kernels() {}

    /** Set to {@code false} to keep convolutions on the GEMM path (A/B benchmarks); default true. */
    public static final String NCHWC_PROPERTY = "resnet4j.nchwc";

    /**
     * True when the engine should run convolutions on the channel-blocked layout ({@code kernels.nchwc}):
     * the Vector API is in use and {@code -Dresnet4j.nchwc=false} is not set.
     */
    public static boolean blockedLayout() {
        return VECTOR && !"false".equals(System.getProperty(NCHWC_PROPERTY));
    }

    /**
     * Set to {@code false} to run every blocked 3x3 convolution on the direct kernel, Winograd's included
     * (each output then sums its products in the direct kernel's order); default true.
     */
    public static final String WINOGRAD_PROPERTY = "resnet4j.winograd";

    /** True unless {@code -Dresnet4j.winograd=false} is set: see {@link #WINOGRAD_PROPERTY}. */
    public static boolean winograd() {
        return !"false".equals(System.getProperty(WINOGRAD_PROPERTY));
    }

    /** The GEMM for engines created without an explicit one. */
    public static Sgemm defaultSgemm() {
        return DEFAULT;
    }

    /**
     * The width of the vector kernels in bits (128, 256 or 512), or 0 when the engine runs the scalar
     * kernels.
     */
    public static int vectorBits() {
        return BITS;
    }

    /**
     * Throws when {@code -Dresnet4j.vectorBits} has a value other than 128, 256 or 512: engines refuse to
     * start rather than run at a width the user did not ask for.
     */
    public static void requireValidWidth() {
        if (WIDTH_PROBLEM != null) {
            throw new IllegalArgumentException(WIDTH_PROBLEM);
        }
    }

    /**
     * A line for {@code bench}/{@code inspect}: "vector 512-bit (this CPU's preferred width is 512): gemm
     * vector-512bit-8x32", or "scalar (...): gemm ..." with the reason.
     */
    public static String kernelPath() {
        return PATH;
    }
}
