package org.resnet4j;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.Engines;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.tensor.TensorSpec;

/**
 * Any ONNX model, run on tensors: named tensors in, named tensors out, on ONNX Runtime or the
 * Java engine. For ResNets on images, {@link ResNetModel} is the door; this is for the other models
 * (ours exported, or another exporter's) and for tensors you prepared yourself.
 *
 * <pre>{@code
 * try (OnnxModel m = OnnxModel.open(Path.of("model.onnx"), EngineType.JAVA)) {
 *     Map<String, Tensor> out = m.run(Map.of("input", Tensor.zeros(1, 3, 224, 224)));
 * }
 * }</pre>
 *
 * <p>The model is validated before either engine sees it (SECURITY.md: no external data, sizes
 * consistent with the bytes, the limits of {@link ReaderLimits}); inputs are checked against the
 * model's declared names, element types and fixed dimensions. <b>Thread safety:</b> immutable and
 * safe to share; {@link #close()} waits for runs in flight, later runs throw
 * {@link IllegalStateException}.
 */
public final class OnnxModel implements AutoCloseable {
    private final Engine engine;

    private OnnxModel(Engine engine) {
        this.engine = engine;
    }

    /** Opens an ONNX file on {@code engine} with its defaults (CPU, all cores, no timeout). */
    public static OnnxModel open(Path file, EngineType engine) {
        return open(file, engine, Device.CPU, 0, null);
    }

    /**
     * Opens an ONNX file.
     *
     * @param threads intra-op threads, 0 for all cores
     * @param timeout how long one run may take ({@link ResNet4jException.DeadlineException} past it); null for none
     * @throws ResNet4jException.FileAccessException      the file is missing or unreadable
     * @throws ResNet4jException.FormatException          the file is not a valid ONNX model
     * @throws ResNet4jException.UnsafeContentException   it is refused on principle (external data, a limit)
     * @throws ResNet4jException.UnsupportedModelException the engine does not run an operator of it
     */
    public static OnnxModel open(Path file, EngineType engine, Device device, int threads, Duration timeout) {
        Objects.requireNonNull(file, "file");
        return open(Onnx.readValidated(file), engine, device, threads, timeout);
    }

    /** Opens a serialised ONNX model held in memory; {@code name} names it in messages. */
    public static OnnxModel open(
            byte[] model, String name, EngineType engine, Device device, int threads, Duration timeout) {
        Objects.requireNonNull(model, "model");
        return open(Onnx.parse(model, Objects.requireNonNull(name, "name")), engine, device, threads, timeout);
    }

    /** Opens an ONNX model read to its end from {@code model} (at most {@code model.maxStreamBytes}); it stays open. */
    public static OnnxModel open(
            InputStream model, String name, EngineType engine, Device device, int threads, Duration timeout) {
        Objects.requireNonNull(model, "model");
        return open(ModelStreams.readOnnx(model, name), name, engine, device, threads, timeout);
    }

    private static OnnxModel open(
            Onnx.ValidatedModel m, EngineType engine, Device device, int threads, Duration timeout) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(device, "device");
        EngineOptions options = new EngineOptions(device, threads, "all").withTimeout(timeout);
        return new OnnxModel(Engines.open(engine, m, options));
    }

    /** The model's inputs in graph order: name, element type and declared shape (-1 where symbolic). */
    public List<TensorSpec> inputs() {
        return engine.inputs();
    }

    /** The model's output names in graph order. */
    public List<String> outputNames() {
        return engine.outputNames();
    }

    /**
     * Runs the model: one tensor per input name; returns one tensor per output, in graph order.
     *
     * @throws ResNet4jException.MismatchException an input is missing, extra, or of the wrong type or shape
     *                                             (the message lists every problem and the model's inputs)
     * @throws ResNet4jException.EngineException   the engine failed, or the run passed its timeout
     * @throws java.util.concurrent.CancellationException the calling thread was interrupted
     * @throws IllegalStateException               the model was closed
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return engine.run(Objects.requireNonNull(inputs, "inputs"));
    }

    /** The engine and its settings, e.g. {@code onnxruntime 1.29.0 (cpu, all cores, optimisation all)}. */
    public String describe() {
        return engine.describe();
    }

    /** Releases the engine once the runs in flight have finished; idempotent. */
    @Override
    public void close() {
        engine.close();
    }
}
