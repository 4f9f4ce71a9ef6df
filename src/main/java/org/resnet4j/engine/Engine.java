package org.resnet4j.engine;

import java.util.List;
import java.util.Map;
import org.resnet4j.tensor.Tensor;

/**
 * Runs an ONNX model on plain tensors. Implementations load the model once in their constructor
 * and are safe to call from several threads at once; {@link #close()} releases native resources,
 * after which {@code run} throws {@link IllegalStateException}.
 */
public interface Engine extends AutoCloseable {

    /** Input names in graph order. */
    List<String> inputNames();

    /** Output names in graph order. */
    List<String> outputNames();

    /** Runs the model: one tensor per input name, returns one tensor per output name (graph order). */
    Map<String, Tensor> run(Map<String, Tensor> inputs);

    /** Runs a single-input model and returns its first output. */
    default Tensor run(Tensor input) {
        List<String> in = inputNames();
        if (in.size() != 1) {
            throw new IllegalArgumentException("model has inputs " + in + ", pass them by name");
        }
        return run(Map.of(in.get(0), input)).get(outputNames().get(0));
    }

    /** A short description for reports: engine, device, threads. */
    String describe();

    @Override
    void close();
}
