package org.resnet4j.engine;

import java.util.List;
import java.util.Map;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.tensor.TensorSpec;

/**
 * Runs an ONNX model on plain tensors. Implementations load the model once in their constructor
 * and are safe to call from several threads at once; {@link #close()} waits for the runs in flight
 * ({@link RunGate}) and releases native resources, after which {@code run} throws
 * {@link IllegalStateException}. Closing from inside a run of the same engine is refused.
 */
public interface Engine extends AutoCloseable {

    /** The model's inputs in graph order (initializers listed as inputs excluded): name, type, shape. */
    List<TensorSpec> inputs();

    /** Input names in graph order. */
    default List<String> inputNames() {
        return inputs().stream().map(TensorSpec::name).toList();
    }

    /** Output names in graph order. */
    List<String> outputNames();

    /**
     * Runs the model: one tensor per input name, returns one tensor per output name (graph order).
     * The inputs are checked by {@link InputCheck} (names, element types, ranks and fixed dimensions);
     * a mismatch is a {@link org.resnet4j.ResNet4jException.MismatchException} listing the model's inputs.
     */
    Map<String, Tensor> run(Map<String, Tensor> inputs);

    /** Runs a single-input model and returns its first output; with several inputs, use {@link #run(Map)}. */
    default Tensor run(Tensor input) {
        return run(Map.of(InputCheck.single(inputs()).name(), input))
                .get(outputNames().get(0));
    }

    /** A short description for reports: engine, device, threads. */
    String describe();

    @Override
    void close();
}
