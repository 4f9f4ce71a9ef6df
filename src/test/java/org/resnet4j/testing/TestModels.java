package org.resnet4j.testing;

import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.OperatorSetIdProto;

/** Models built in tests from a graph: IR version 8 (what onnx 1.12's checker accepts), one opset import. */
public final class TestModels {
    private TestModels() {}

    /** {@code graph} as a model of IR version 8 importing ai.onnx at {@code opset}. */
    public static ModelProto of(GraphProto graph, int opset) {
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(graph)
                .build();
    }
}
