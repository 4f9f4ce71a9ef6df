package org.resnet4j.engine;

import org.resnet4j.EngineType;
import org.resnet4j.engine.jvm.JavaEngine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;

/** Opens an {@link Engine} by kind: the one place the commands and the demo choose an engine. */
public final class Engines {
    private Engines() {}

    /**
     * Opens {@code model} on the engine {@code kind}; {@code name} names the model in messages.
     * ONNX Runtime gets the model only after {@link Onnx#validated} checked it, whoever built it.
     * The Java engine runs on the CPU only: {@code --device cuda} with it is an error, not a fallback.
     */
    public static Engine open(EngineType kind, ModelProto model, EngineOptions options, String name) {
        return switch (kind) {
            case ONNX_RUNTIME -> new OrtEngine(Onnx.validated(model, name), options);
            case JAVA -> JavaEngine.create(model, options);
        };
    }

    /**
     * Opens a model already validated and serialised ({@link Onnx#validated}, {@link Onnx#parse}) on
     * the engine {@code kind}. What the caller built it from (a checkpoint mapped from disk) need not
     * be kept: dropped before this call, it is not resident while ONNX Runtime copies the model.
     */
    public static Engine open(EngineType kind, Onnx.ValidatedModel model, EngineOptions options) {
        return switch (kind) {
            case ONNX_RUNTIME -> new OrtEngine(model, options);
            case JAVA -> JavaEngine.create(model.proto(), options);
        };
    }
}
