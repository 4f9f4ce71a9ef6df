package org.resnet4j.graph;

import java.util.function.Function;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * An initializer of the built graph and how to compute it from the (already checked) weights:
 * usually a plain lookup of the torchvision key, or a BatchNorm fold of several keys; for a
 * quantized model also integer tensors (int8 weights, uint8 zero points, int32 biases).
 */
record Initializer(String name, Function<StateDict, TensorProto> recipe) {
    /** A float32 initializer computed from the weights. */
    static Initializer floats(String name, Function<StateDict, Tensor> recipe) {
        return new Initializer(name, sd -> Onnx.floatTensor(name, recipe.apply(sd)));
    }
}
