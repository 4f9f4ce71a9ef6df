package org.resnet4j.engine;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import org.resnet4j.ResNet4jException.EngineException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.onnx.ModelProto;

/** Opens an {@link Engine} by kind: the one place the commands and the demo choose an engine. */
public final class Engines {
    private static final String JAVA_ENGINE = "org.resnet4j.engine.jvm.JavaEngine";

    private Engines() {}

    /** The engines resnet4j has. */
    public enum Kind {
        /** ONNX Runtime (CPU or CUDA). */
        ORT,
        /** The pure-Java executor (CPU only). */
        JAVA;

        /** {@code ort} or {@code java}, case-insensitive. */
        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UnsupportedModelException("unknown engine '" + s + "', expected one of ort, java");
            }
        }

        /** The lower-case name used on the command line. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether this build has the pure-Java engine. */
    public static boolean javaAvailable() {
        try {
            Class.forName(JAVA_ENGINE);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Opens {@code model} on the engine {@code kind}; {@code name} names the model in messages.
     * The Java engine runs on the CPU only: {@code --device cuda} with it is an error, not a fallback.
     */
    public static Engine open(Kind kind, ModelProto model, EngineOptions options, String name) {
        return switch (kind) {
            case ORT -> new OrtEngine(model.toByteArray(), options, name);
            case JAVA -> {
                if (options.device() != EngineOptions.Device.CPU) {
                    throw new UnsupportedModelException("the Java engine runs on the CPU only; use --engine ort with --device "
                            + options.device().name().toLowerCase(Locale.ROOT));
                }
                yield openJava(model, options.threads());
            }
        };
    }

    // The Java engine is developed on its own branch; until it is merged it is found by name.
    private static Engine openJava(ModelProto model, int threads) {
        Class<?> type;
        try {
            type = Class.forName(JAVA_ENGINE);
        } catch (ClassNotFoundException e) {
            throw new EngineException("this build of resnet4j has no Java engine; use --engine ort");
        }
        try {
            Constructor<?> c = type.getConstructor(ModelProto.class, int.class);
            return (Engine) c.newInstance(model, threads);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new EngineException("the Java engine failed to load the model: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + JAVA_ENGINE, e);
        }
    }
}
