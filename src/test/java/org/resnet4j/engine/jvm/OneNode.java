package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.resnet4j.Device;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.Comparison;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.onnx.TypeProto;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;

/**
 * A one-node model built in a test: graph inputs of any tensor type (fed at run time), initializers,
 * attributes, declared output types (float unless given); and the comparison of the Java engine with
 * ONNX Runtime on it.
 */
final class OneNode {
    /** fp32 rounding of one op with different summation orders, relative to max |reference|. */
    static final double OP_TOLERANCE = 1e-5;

    private final String op;
    private int opset = 17;
    private final Map<String, Tensor> inputs = new LinkedHashMap<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<String> nodeInputs = new ArrayList<>();
    private final List<AttributeProto> attrs = new ArrayList<>();
    private int outputs = 1;
    private DType[] outputTypes = {};

    private OneNode(String op) {
        this.op = op;
    }

    static OneNode of(String op) {
        return new OneNode(op);
    }

    OneNode opset(int v) {
        opset = v;
        return this;
    }

    /** A graph input fed with {@code t}. */
    OneNode input(String name, Tensor t) {
        inputs.put(name, t);
        nodeInputs.add(name);
        return this;
    }

    /** A graph input fed with seeded Gaussian values. */
    OneNode input(String name, long seed, int... shape) {
        return input(name, RandomInit.normal(seed, shape));
    }

    OneNode floatInit(String name, Tensor t) {
        initializers.add(Onnx.floatTensor(name, t));
        nodeInputs.add(name);
        return this;
    }

    /** An initializer of any tensor type. */
    OneNode init(String name, Tensor t) {
        initializers.add(Onnx.tensor(name, t));
        nodeInputs.add(name);
        return this;
    }

    OneNode longInit(String name, long... values) {
        TensorProto.Builder b = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length);
        for (long v : values) {
            b.addInt64Data(v);
        }
        initializers.add(b.build());
        nodeInputs.add(name);
        return this;
    }

    /** An omitted optional input. */
    OneNode skip() {
        nodeInputs.add("");
        return this;
    }

    OneNode attr(AttributeProto a) {
        attrs.add(a);
        return this;
    }

    OneNode ints(String name, long... v) {
        return attr(Onnx.intsAttr(name, v));
    }

    OneNode i(String name, long v) {
        return attr(Onnx.intAttr(name, v));
    }

    OneNode f(String name, float v) {
        return attr(Onnx.floatAttr(name, v));
    }

    OneNode s(String name, String v) {
        return attr(AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v))
                .build());
    }

    OneNode outputs(int n) {
        outputs = n;
        return this;
    }

    /** The declared element types of outputs y, y1, ...; the outputs not given are float. */
    OneNode outputTypes(DType... types) {
        outputTypes = types.clone();
        outputs = Math.max(outputs, types.length);
        return this;
    }

    int opset() {
        return opset;
    }

    Map<String, Tensor> feeds() {
        return inputs;
    }

    ModelProto model() {
        NodeProto.Builder n = NodeProto.newBuilder()
                .setOpType(op)
                .setName(op.toLowerCase())
                .addAllInput(nodeInputs)
                .addAllAttribute(attrs);
        for (int i = 0; i < outputs; i++) {
            n.addOutput(i == 0 ? "y" : "y" + i);
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName(op).addNode(n).addAllInitializer(initializers);
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            Tensor t = e.getValue();
            g.addInput(Onnx.valueInfo(
                    e.getKey(),
                    t.dtype(),
                    java.util.Arrays.stream(t.shape()).boxed().toArray()));
        }
        for (int i = 0; i < outputs; i++) {
            DType type = i < outputTypes.length ? outputTypes[i] : DType.FLOAT32;
            g.addOutput(ValueInfoProto.newBuilder()
                    .setName(i == 0 ? "y" : "y" + i)
                    .setType(TypeProto.newBuilder()
                            .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.onnxCode()))));
        }
        return ModelProto.newBuilder()
                .setIrVersion(opset <= 18 ? 8 : 9)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(g)
                .build();
    }

    Tensor runJava() {
        return runJavaOutputs().get("y");
    }

    Tensor runOrt() {
        return runOrtOutputs().get("y");
    }

    /** Every output of the Java engine, by name (y, y1, ...). */
    Map<String, Tensor> runJavaOutputs() {
        try (JavaEngine e = new JavaEngine(model(), 2)) {
            return e.run(inputs);
        }
    }

    /** Every output of ONNX Runtime, by name (y, y1, ...). */
    Map<String, Tensor> runOrtOutputs() {
        try (OrtEngine e = new OrtEngine(model().toByteArray(), new EngineOptions(Device.CPU, 1, "basic"), op)) {
            return e.run(inputs);
        }
    }

    /** Java vs ORT: same shape, {@link Comparison#close} with rtol {@code OP_TOLERANCE}; returns the relative error. */
    double checkAgainstOrt(String what) {
        Tensor ort = runOrt();
        Tensor java = runJava();
        return assertClose(op + " " + what, ort, java, OP_TOLERANCE);
    }

    /**
     * The one comparison of an op's or kernel's output: same shape, {@link Comparison#close} with
     * relative tolerance {@code tol} and no absolute slack, the figure kept in the error log. (Whole
     * models' logits go through {@link org.resnet4j.testing.Parity#assertClose}, which also checks
     * each row's argmax.) Returns the relative error.
     */
    static double assertClose(String what, Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": output shape");
        Comparison c = Comparison.of(what, actual, expected);
        assertTrue(
                c.close(tol, 0),
                what + " " + Shapes.format(expected.shape()) + ": " + c.describe() + ", relative > " + tol);
        ErrorLog.record(what, c.relative());
        return c.relative();
    }

    static Tensor t(int[] shape, float... data) {
        return Tensor.of(shape, data);
    }
}
