package org.resnet4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.resnet4j.ResNet4jException.FileAccessException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.build.ActivationRanges;
import org.resnet4j.build.Int8Model;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.Engines;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.onnx.TypeProto;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.LoadedCheckpoint;

/**
 * Quantizes a float torchvision ResNet checkpoint to an int8 QDQ ONNX model, calibrating its
 * activations on images: the model runs in float on ONNX Runtime over the calibration set, its
 * activation ranges are collected ({@link CalibrationMethod}), and the quantized model is written in
 * the form torchvision's own quantized checkpoints export to (symmetric int8 weights, uint8
 * activations, BatchNorm folded), with the method, image count and ranges in its metadata
 * ({@code resnet4j.calibration}).
 *
 * <pre>{@code
 * Int8Quantizer.Result r = Int8Quantizer.builder()
 *         .weights(Path.of("resnet50.pth"))
 *         .method(CalibrationMethod.ENTROPY)
 *         .perChannel(true)
 *         .build()
 *         .quantize(calibrationFiles, Path.of("resnet50-int8.onnx"));
 * }</pre>
 *
 * Memory is the float model, one batch of activations, and per activation two numbers and a
 * 2048-bin histogram, whatever the number of images. Not thread-safe: one quantization per instance
 * at a time.
 */
public final class Int8Quantizer {
    private final Builder b;

    private Int8Quantizer(Builder b) {
        this.b = b;
    }

    /** A builder; {@link Builder#weights(Path)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What a quantization did.
     *
     * @param file     the model written
     * @param images   the calibration images used (decoded)
     * @param failures the files that could not be decoded, each with its error (skipped)
     * @param method   the calibration method
     */
    public record Result(Path file, int images, List<ImageResult<Void>> failures, CalibrationMethod method) {
        public Result {
            failures = List.copyOf(failures);
        }
    }

    /**
     * Calibrates on image files (decoded and preprocessed as the builder's {@link ImageTransform}, in
     * batches) and writes the int8 model to {@code out} atomically. Files that cannot be decoded are
     * skipped and listed in the result.
     *
     * @throws IllegalArgumentException when no file is given
     * @throws ResNet4jException        when the checkpoint cannot be read or no image decodes
     */
    public Result quantize(List<Path> images, Path out) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no calibration images given");
        }
        List<ImageResult<Void>> failures = new ArrayList<>();
        int[] used = {0};
        Calibration c = new Calibration(images.size());
        run(c, consumer -> {
            failures.clear();
            used[0] = 0;
            try (ImageBatches batches =
                    ImageBatches.start(images, b.transform, ImageBatches.Options.of(b.batchSize, b.threads))) {
                batches.run((files, errors, batch) -> {
                    for (int i = 0; i < files.size(); i++) {
                        if (errors.get(i) != null) {
                            failures.add(ImageResult.failed(files.get(i).toString(), errors.get(i)));
                        }
                    }
                    if (batch != null) {
                        used[0] += batch.dim(0);
                        consumer.accept(batch);
                    }
                });
            }
        });
        if (used[0] == 0) {
            throw new ResNet4jException.FormatException(
                    "none of the " + images.size() + " calibration images could be decoded (first: "
                            + failures.get(0).error() + ")");
        }
        write(c, used[0], out);
        return new Result(out, used[0], failures, b.method);
    }

    /**
     * Calibrates on preprocessed batches {@code [N, C, H, W]} (float32, as the model takes them) and
     * writes the int8 model to {@code out} atomically.
     *
     * @throws IllegalArgumentException when no batch is given
     */
    public Result quantizeTensors(List<Tensor> batches, Path out) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("no calibration batches given");
        }
        int n = 0;
        for (Tensor t : batches) {
            n += Objects.requireNonNull(t, "batch").dim(0);
        }
        Calibration c = new Calibration(n);
        run(c, consumer -> batches.forEach(consumer));
        write(c, n, out);
        return new Result(out, n, List.of(), b.method);
    }

    /** The float model with its observed activations as outputs, and what it learns from them. */
    private final class Calibration {
        final LoadedCheckpoint checkpoint;
        final ResNetSpec spec;
        final Map<String, String> observed;
        final ActivationRanges ranges = new ActivationRanges();
        final int images;
        int done;

        Calibration(int images) {
            this.images = images;
            checkpoint = OnnxBuild.loadWeights(b.weights, b.checkpointKey);
            if (checkpoint.quantized()) {
                throw new UnsupportedModelException(
                        b.weights + " is already quantized (" + checkpoint.quantization() + "); export it as it is");
            }
            spec = OnnxBuild.resolveSpec(
                    b.architecture.explicitSpec().orElse(null), b.numClasses, b.inChannels, checkpoint);
            observed = Int8Model.observedValues(spec);
        }
    }

    private interface Source {
        void batches(java.util.function.Consumer<Tensor> consumer);
    }

    private void run(Calibration c, Source source) {
        ModelProto model =
                OnnxBuild.buildModel(c.spec, c.checkpoint, new OnnxBuild.ExportOptions(Onnx.DEFAULT_OPSET, true));
        ModelProto.Builder withOutputs = model.toBuilder();
        LinkedHashSet<String> values = new LinkedHashSet<>(c.observed.values());
        values.remove("input");
        values.remove(model.getGraph().getOutput(0).getName());
        for (String v : values) {
            withOutputs
                    .getGraphBuilder()
                    .addOutput(ValueInfoProto.newBuilder()
                            .setName(v)
                            .setType(TypeProto.newBuilder()
                                    .setTensorType(TypeProto.Tensor.newBuilder()
                                            .setElemType(TensorProto.DataType.FLOAT_VALUE))));
        }
        int passes = ActivationRanges.needsHistograms(b.method) ? 2 : 1;
        try (Engine engine = Engines.open(
                EngineType.ONNX_RUNTIME,
                withOutputs.build(),
                new EngineOptions(Device.CPU, b.threads, "all"),
                b.weights.toString())) {
            for (int pass = 0; pass < passes; pass++) {
                boolean histogram = pass == 1;
                source.batches(batch -> {
                    Map<String, Tensor> outs =
                            engine.run(Map.of(engine.inputNames().get(0), batch));
                    Map<String, Tensor> byModule = new LinkedHashMap<>();
                    for (Map.Entry<String, String> e : c.observed.entrySet()) {
                        byModule.put(e.getKey(), e.getValue().equals("input") ? batch : outs.get(e.getValue()));
                    }
                    if (histogram) {
                        c.ranges.histogram(byModule);
                    } else {
                        c.ranges.observe(byModule);
                    }
                    c.done += batch.dim(0);
                    b.progress.accept(c.done, c.images * passes);
                });
            }
        }
    }

    private void write(Calibration c, int images, Path out) {
        Map<String, float[]> ranges = c.ranges.ranges(b.method, "fc");
        ModelProto model = Int8Model.build(
                c.spec,
                c.checkpoint,
                ranges,
                b.perChannel,
                Onnx.DEFAULT_OPSET,
                Int8Model.describe(b.method.label(), images, b.perChannel, ranges));
        try {
            Onnx.write(Onnx.validated(model, out.toString()).proto(), out);
        } catch (IOException e) {
            throw new FileAccessException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /** How to quantize; every setter checks its argument at once ({@link IllegalArgumentException}). */
    public static final class Builder {
        private Path weights;
        private String checkpointKey;
        private Architecture architecture = Architecture.inferred();
        private Integer numClasses;
        private Integer inChannels;
        private CalibrationMethod method = CalibrationMethod.MINMAX;
        private boolean perChannel;
        private ImageTransform transform = ImageTransform.IMAGENET_V1;
        private int threads;
        private int batchSize = 8;
        private BiConsumer<Integer, Integer> progress = (done, total) -> {};

        private Builder() {}

        /** The float checkpoint (any format {@link ResNetModel.Builder#weights(Path)} reads). */
        public Builder weights(Path checkpoint) {
            this.weights = Objects.requireNonNull(checkpoint, "checkpoint");
            return this;
        }

        /** The top-level key of a training checkpoint that holds the weights; by default found. */
        public Builder checkpointKey(String key) {
            this.checkpointKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** The architecture; inferred from the checkpoint by default. */
        public Builder architecture(Architecture architecture) {
            this.architecture = Objects.requireNonNull(architecture, "architecture");
            return this;
        }

        /** Overrides the architecture's classes (fc outputs). */
        public Builder numClasses(int n) {
            this.numClasses = Arguments.atLeastOne("numClasses", n);
            return this;
        }

        /** Overrides the architecture's input channels (conv1 inputs). */
        public Builder inChannels(int n) {
            this.inChannels = Arguments.atLeastOne("inChannels", n);
            return this;
        }

        /** How activation ranges are chosen (default {@link CalibrationMethod#MINMAX}). */
        public Builder method(CalibrationMethod method) {
            this.method = Objects.requireNonNull(method, "method");
            return this;
        }

        /** Weights quantized per output channel ({@code true}) or per tensor (default). */
        public Builder perChannel(boolean perChannel) {
            this.perChannel = perChannel;
            return this;
        }

        /** How calibration images become input (default {@link ImageTransform#IMAGENET_V1}). */
        public Builder preprocessing(ImageTransform transform) {
            this.transform = Objects.requireNonNull(transform, "transform");
            return this;
        }

        /** ONNX Runtime's threads for the float model; 0 (default) uses all cores. */
        public Builder threads(int threads) {
            this.threads = Arguments.threads(threads);
            return this;
        }

        /** Images per calibration batch (default 8). */
        public Builder batchSize(int n) {
            this.batchSize = Arguments.atLeastOne("batch size", n);
            return this;
        }

        /** Called after each batch with the images done and the total (images × passes). */
        public Builder progress(BiConsumer<Integer, Integer> progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /** The quantizer. */
        public Int8Quantizer build() {
            if (weights == null) {
                throw new IllegalStateException("give the float checkpoint: weights(...)");
            }
            return new Int8Quantizer(this);
        }
    }
}
