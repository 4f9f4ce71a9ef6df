package org.resnet4j.cli;

import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.engine.jvm.JavaEngine;
import org.resnet4j.onnx.ModelProto;

/** The engines a command can run a model on. */
enum EngineKind {
    /** ONNX Runtime through its Java API. */
    ORT("ort") {
        @Override
        Engine open(ModelProto model, String name, EngineOptions options) {
            return new OrtEngine(model.toByteArray(), options, name);
        }
    },
    /** resnet4j's pure-Java executor. */
    JAVA("java") {
        @Override
        Engine open(ModelProto model, String name, EngineOptions options) {
            return JavaEngine.create(model, options);
        }
    };

    private final String label;

    EngineKind(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    abstract Engine open(ModelProto model, String name, EngineOptions options);

    @Override
    public String toString() {
        return label;
    }
}
