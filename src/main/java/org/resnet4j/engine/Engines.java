package org.resnet4j.engine;

import java.util.Locale;
import org.resnet4j.engine.jvm.JavaEngine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;

/** Opens an {@link Engine} by kind: the one place the commands and the demo choose an engine. */
public final class Engines {
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
                throw new IllegalArgumentException("unknown engine '" + s + "', expected one of ort, java");
            }
        }

        /** The lower-case name used on the command line. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Opens {@code model} on the engine {@code kind}; {@code name} names the model in messages.
     * ONNX Runtime gets the model only after {@link Onnx#validated} checked it, whoever built it.
     * The Java engine runs on the CPU only: {@code --device cuda} with it is an error, not a fallback.
     */
    public static Engine open(Kind kind, ModelProto model, EngineOptions options, String name) {
        return switch (kind) {
            case ORT -> new OrtEngine(Onnx.validated(model, name), options);
            case JAVA -> JavaEngine.create(model, options);
        };
    }

    /**
     * Opens a model already validated and serialised ({@link Onnx#validated}, {@link Onnx#parse}) on
     * the engine {@code kind}. What the caller built it from (a checkpoint mapped from disk) need not
     * be kept: dropped before this call, it is not resident while ONNX Runtime copies the model.
     */
    public static Engine open(Kind kind, Onnx.ValidatedModel model, EngineOptions options) {
        return switch (kind) {
            case ORT -> new OrtEngine(model, options);
            case JAVA -> JavaEngine.create(model.proto(), options);
        };
    }
}
