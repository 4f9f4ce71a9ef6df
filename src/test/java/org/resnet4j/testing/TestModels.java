package org.resnet4j.testing;

import java.util.List;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.OperatorSetIdProto;

/** Models built in tests from a graph: IR version 8 (what onnx 1.12's checker accepts), one opset import. */
public final class TestModels {
    private TestModels() {}

    /** A node of {@code op} reading {@code inputs} and making {@code output}, named after both. */
    public static NodeProto node(String op, List<String> inputs, String output) {
        return NodeProto.newBuilder()
                .setOpType(op)
                .setName(op + "_" + output)
                .addAllInput(inputs)
                .addOutput(output)
                .build();
    }

    /** {@code graph} as a model of IR version 8 importing ai.onnx at {@code opset}. */
    public static ModelProto of(GraphProto graph, int opset) {
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(graph)
                .build();
    }
}
