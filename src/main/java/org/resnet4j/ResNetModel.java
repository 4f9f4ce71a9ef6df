package org.resnet4j;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.Engines;
import org.resnet4j.graph.FeatureOutput;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.TensorShapeProto;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.ImageLoader;
import org.resnet4j.vision.Preprocessing;
import org.resnet4j.vision.RgbImage;
import org.resnet4j.weights.LoadedCheckpoint;

/**
 * A torchvision ResNet ready to classify and embed images: the library's front door.
 *
 * <pre>{@code
 * try (ResNetModel model = ResNetModel.builder()
 *         .weights(Path.of("resnet50.pth"))   // or .onnx(Path.of("resnet50.onnx"))
 *         .engine("ort")                      // "ort" (default) or "java"
 *         .threads(2)
 *         .build()) {
 *     List<Prediction> top5 = model.classify(image, 5);
 *     float[] features = model.embed(image);  // 2048 floats for resnet50
 *     for (ImageResult<List<Prediction>> r : model.classifyFiles(files, 5)) { ... }  // decoded ahead
 * }
 * }</pre>
 *
 * <p>Everything that turns images into answers goes through this class: the command line's
 * {@code classify}, {@code embed}, {@code demo} and {@code bench}, and the Spark transformer and
 * batch job, call it. Files are
 * decoded ahead of the engine ({@link ImageBatches}); images that cannot be read are results with an
 * error ({@link ImageResult}), not exceptions, when they come in batches of files or bytes.
 *
 * <p>Images are decoded and preprocessed exactly as torchvision does on PIL images
 * ({@link ImageTransform}: resize, center crop, normalisation), so probabilities and
 * embeddings equal torchvision's to float precision. An embedding is the pooled feature vector the
 * final fully connected layer sees: what the torchvision model returns with {@code model.fc =
 * nn.Identity()}.
 *
 * <p><b>Thread safety:</b> a {@code ResNetModel} is immutable after {@link Builder#build()} and
 * safe to share: one instance can serve many threads at once (each call runs its own inference;
 * the engine's worker threads are shared). {@link #close()} may be called while other threads are
 * in a call (a service's shutdown): it waits for the inferences in flight, then releases the engine;
 * calls after it throw {@link IllegalStateException}.
 *
 * <p><b>Errors:</b> bad data (a corrupt checkpoint or image, weights that do not fit the
 * architecture, an engine failure) raise subclasses of {@link ResNet4jException} whose messages
 * name the file, the tensor and expected versus actual values; a bad argument raises
 * {@link IllegalArgumentException}.
 */
public final class ResNetModel implements AutoCloseable {
    private final Engine engine;
    private final String name;
    private final ResNetSpec spec;
    private final Preprocessing preprocessing;
    /** Decodes images with this model's limits. */
    private final ImageLoader loader;

    private final ImageTransform transform;
    private final List<String> labels;
    private final String logitsName;
    private final String featuresName;
    private final int inputChannels;
    private final int embeddingSize;
    /** Builds the classifier's ONNX model again, for {@link #export}: the model is not kept in memory. */
    private final Supplier<ModelProto> source;

    private ResNetModel(Builder b, Prepared p) {
        this.name = p.name();
        this.spec = p.spec();
        this.source = p.source();
        this.transform = b.transform;
        ReaderLimits limits = ReaderLimits.current();
        this.loader = new ImageLoader(
                b.maxImagePixels > 0 ? b.maxImagePixels : limits.imageMaxPixels(),
                b.maxImageBytes > 0 ? b.maxImageBytes : limits.imageMaxBytes());
        this.preprocessing = b.transform.preprocessing().withLoader(loader);
        this.inputChannels = p.inputChannels();
        this.labels = p.labels();
        this.logitsName = p.logitsName();
        this.featuresName = p.featuresName();
        this.embeddingSize = p.embeddingSize();
        EngineOptions options = new EngineOptions(b.device, b.threads, "all")
                .withTimeout(b.timeout)
                .withSessionCache(b.sessionCache);
        this.engine = p.serialised() != null
                ? Engines.open(b.engine, p.serialised(), options)
                : Engines.open(b.engine, p.model(), options, p.name());
    }

    /**
     * What the engine is opened with: for ONNX Runtime the model serialised (and validated), holding
     * nothing of the checkpoint, which can then be let go before ONNX Runtime copies it; the model
     * itself for the Java engine, which reads its tensors where they are.
     */
    private record Prepared(
            Onnx.ValidatedModel serialised,
            ModelProto model,
            String name,
            ResNetSpec spec,
            Supplier<ModelProto> source,
            int inputChannels,
            List<String> labels,
            String logitsName,
            String featuresName,
            int embeddingSize) {}

    /** A builder; {@link Builder#weights(Path)} or {@link Builder#onnx(Path)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The {@code k} most probable classes of {@code image}, highest first. */
    public List<Prediction> classify(BufferedImage image, int k) {
        return classify(List.of(image), k).get(0);
    }

    /**
     * The {@code k} most probable classes of an encoded image (JPEG, PNG, BMP, GIF, WebP) read to
     * its end from {@code encoded}, which stays open.
     *
     * @throws ResNet4jException.FormatException     the image is corrupt, truncated or not an image
     * @throws ResNet4jException.UnsafeContentException the image is over {@code image.maxPixels} or {@code image.maxBytes}
     * @throws ResNet4jException.FileAccessException the stream cannot be read
     * @throws ResNet4jException.EngineException     the engine failed
     * @throws IllegalArgumentException              {@code k} is not 1 to {@link #numClasses()}
     * @throws IllegalStateException                 the model was closed
     */
    public List<Prediction> classify(InputStream encoded, int k) {
        checkK(k);
        return classify(preprocess(List.of(decode(encoded))), k).get(0);
    }

    /** The top-k list of each image, in order, from one batched inference. */
    public List<List<Prediction>> classify(List<BufferedImage> images, int k) {
        checkK(k);
        return classify(preprocess(toRgb(images)), k);
    }

    /** The top-k list of each row of a preprocessed batch {@code [N, C, H, W]}. */
    public List<List<Prediction>> classify(Tensor input, int k) {
        checkK(k);
        Tensor logits = logits(input);
        if (logits.rank() != 2 || logits.dim(0) != input.dim(0) || logits.dim(1) != labels.size()) {
            throw new MismatchException(name + ": the model returned logits of shape " + Arrays.toString(logits.shape())
                    + ", expected [" + input.dim(0) + ", " + labels.size() + "]");
        }
        return TopK.of(logits, k, labels);
    }

    /** The pooled features of {@code image}: {@link #embeddingSize()} floats. */
    public float[] embed(BufferedImage image) {
        return embed(List.of(image)).get(0);
    }

    /** The pooled features of an encoded image read to its end from {@code encoded}, which stays open. *
     * @throws ResNet4jException.FormatException          the image is corrupt, truncated or not an image
     * @throws ResNet4jException.UnsupportedModelException the model cannot embed (its output is not made by a Gemm)
     * @throws ResNet4jException.FileAccessException      the stream cannot be read
     * @throws IllegalStateException                      the model was closed
     */
    public float[] embed(InputStream encoded) {
        return rows(features(preprocess(List.of(decode(encoded))))).get(0);
    }

    /** The pooled features of each image, in order, from one batched inference. */
    public List<float[]> embed(List<BufferedImage> images) {
        return rows(features(preprocess(toRgb(images))));
    }

    /**
     * Classifies image files decoded ahead by {@code images} (started with this model's
     * {@link #preprocessing()} preset), giving {@code each} every file's result in input order, on the
     * caller's thread, as its batch is done. Does not close {@code images}.
     *
     * @throws IllegalArgumentException when {@code k} is not 1 to {@link #numClasses()}, or the images
     *                                  were started with another preset
     * @throws ResNet4jException.EngineException the engine failed (a bad file is a failed result, not an exception)
     * @throws IllegalStateException            the model was closed, or the images were consumed already
     */
    public void classifyFiles(ImageBatches images, int k, Consumer<ImageResult<List<Prediction>>> each) {
        checkK(k);
        runFiles(images, each, batch -> classify(batch, k));
    }

    /** Like {@link #classifyFiles(ImageBatches, int, Consumer)} for embeddings ({@link #embeddingSize()} floats each). */
    public void embedFiles(ImageBatches images, Consumer<ImageResult<float[]>> each) {
        requireFeatures();
        runFiles(images, each, batch -> rows(features(batch)));
    }

    /** Classifies image files in batches of 16, decoded ahead on the cores the engine leaves; results in input order. */
    public List<ImageResult<List<Prediction>>> classifyFiles(List<Path> files, int k) {
        checkK(k);
        List<ImageResult<List<Prediction>>> out = new ArrayList<>(files.size());
        try (ImageBatches images =
                ImageBatches.start(files, transform, preprocessing, ImageBatches.Options.of(16, 0))) {
            classifyFiles(images, k, out::add);
        }
        return out;
    }

    /** Embeds image files in batches of 16, decoded ahead on the cores the engine leaves; results in input order. */
    public List<ImageResult<float[]>> embedFiles(List<Path> files) {
        requireFeatures();
        List<ImageResult<float[]>> out = new ArrayList<>(files.size());
        try (ImageBatches images =
                ImageBatches.start(files, transform, preprocessing, ImageBatches.Options.of(16, 0))) {
            embedFiles(images, out::add);
        }
        return out;
    }

    /**
     * Classifies encoded images held in memory as one batch: each image that decodes gets its top-k
     * list, each that does not (empty, corrupt, not an image, over the pixel limit) an error naming it.
     */
    public List<ImageResult<List<Prediction>>> classifyBytes(List<ImageBytes> images, int k) {
        checkK(k);
        return runBytes(images, batch -> classify(batch, k));
    }

    /** Like {@link #classifyBytes} for embeddings. */
    public List<ImageResult<float[]>> embedBytes(List<ImageBytes> images) {
        requireFeatures();
        return runBytes(images, batch -> rows(features(batch)));
    }

    /**
     * The logits for an already preprocessed batch {@code [N, C, H, W]} (float32): {@code [N, classes]}.
     */
    public Tensor logits(Tensor input) {
        return run(input).get(logitsName);
    }

    /** The pooled features for an already preprocessed batch {@code [N, C, H, W]}: {@code [N, D]}. */
    public Tensor features(Tensor input) {
        requireFeatures();
        Tensor f = run(input).get(featuresName);
        if (f.rank() != 2 || f.dim(0) != input.dim(0)) {
            throw new MismatchException(name + ": the model returned features of shape " + Arrays.toString(f.shape())
                    + ", expected [" + input.dim(0) + ", D]");
        }
        return f;
    }

    /**
     * Writes the classifier as ONNX (without the feature output), atomically. The model is built
     * again from the files it came from (it is not kept in memory), so they must still be there.
     *
     * @throws ResNet4jException.FileAccessException the model's files are gone or the output cannot be written
     */
    public void export(Path file) {
        try {
            Onnx.write(source.get(), file);
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The number of classes (logits per image). */
    public int numClasses() {
        return labels.size();
    }

    /** The class names, one per logit. */
    public List<String> labels() {
        return labels;
    }

    /** The embedding width (2048 for resnet50, 512 for resnet18), -1 when the model cannot embed. */
    public int embeddingSize() {
        return embeddingSize;
    }

    /**
     * The architecture: the one built from a checkpoint, or the one recorded in an ONNX file resnet4j
     * exported; empty for another exporter's ONNX file.
     */
    public Optional<ResNetSpec> spec() {
        return Optional.ofNullable(spec);
    }

    /** The input channels the model takes (3 for images), -1 when an ONNX file leaves them open. */
    public int inputChannels() {
        return inputChannels;
    }

    /** How images become this model's input. */
    public ImageTransform preprocessing() {
        return transform;
    }

    /** The engine, device and threads the model runs on. */
    public String describe() {
        return name + " on " + engine.describe();
    }

    /**
     * Releases the engine (native memory, worker threads) once the inferences in flight on other threads
     * have finished; later calls throw {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    private Map<String, Tensor> run(Tensor input) {
        Objects.requireNonNull(input, "input");
        if (input.rank() != 4) {
            throw new IllegalArgumentException("input has shape " + Arrays.toString(input.shape()) + ", expected [N, "
                    + inputChannels + ", H, W]");
        }
        return engine.run(Map.of(engine.inputNames().get(0), input));
    }

    /** One rule for k everywhere: 1 to the number of classes. */
    private void checkK(int k) {
        if (k < 1 || k > labels.size()) {
            throw new IllegalArgumentException(
                    "k is " + k + ", expected 1 to " + labels.size() + " (the model's classes)");
        }
    }

    private void requireFeatures() {
        if (featuresName == null) {
            throw new UnsupportedModelException(name + ": cannot embed: the model's output is not made by a Gemm "
                    + "(fc) node, so its pooled features cannot be found");
        }
    }

    private void requireImages() {
        if (inputChannels >= 0 && inputChannels != 3) {
            throw new UnsupportedModelException(
                    name + " takes " + inputChannels + "-channel input; images are RGB (3 channels)");
        }
    }

    private <T> void runFiles(ImageBatches images, Consumer<ImageResult<T>> each, Function<Tensor, List<T>> score) {
        Objects.requireNonNull(each, "each");
        requireImages();
        if (images.transform() != null && !images.transform().equals(transform)) {
            throw new IllegalArgumentException(
                    "the images are preprocessed with " + images.transform() + ", this model with " + transform);
        }
        images.run((files, failures, batch) -> {
            List<T> values = batch == null ? List.of() : score.apply(batch);
            int next = 0;
            for (int i = 0; i < files.size(); i++) {
                String image = files.get(i).toString();
                each.accept(
                        failures.get(i) != null
                                ? ImageResult.failed(image, failures.get(i))
                                : ImageResult.of(image, values.get(next++)));
            }
        });
    }

    private <T> List<ImageResult<T>> runBytes(List<ImageBytes> images, Function<Tensor, List<T>> score) {
        requireImages();
        String[] errors = new String[images.size()];
        List<RgbImage> crops = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ImageBytes in = Objects.requireNonNull(images.get(i), "image");
            if (in.bytes().length == 0) {
                errors[i] = in.name() + ": empty file (0 bytes)";
                continue;
            }
            try {
                crops.add(preprocessing.resizeAndCrop(loader.read(new ByteArrayInputStream(in.bytes()), in.name())));
            } catch (ResNet4jException | UncheckedIOException e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                errors[i] = msg.contains(in.name()) ? msg : in.name() + ": " + msg;
            }
        }
        List<T> values = crops.isEmpty() ? List.of() : score.apply(preprocessing.stackCrops(crops));
        List<ImageResult<T>> out = new ArrayList<>(images.size());
        int next = 0;
        for (int i = 0; i < images.size(); i++) {
            String image = images.get(i).name();
            out.add(
                    errors[i] != null
                            ? ImageResult.failed(image, errors[i])
                            : ImageResult.of(image, values.get(next++)));
        }
        return out;
    }

    private RgbImage decode(InputStream encoded) {
        Objects.requireNonNull(encoded, "encoded");
        return loader.read(encoded, "image stream");
    }

    private static List<RgbImage> toRgb(List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images given");
        }
        List<RgbImage> out = new ArrayList<>(images.size());
        for (BufferedImage image : images) {
            out.add(ImageLoader.fromBufferedImage(Objects.requireNonNull(image, "image")));
        }
        return out;
    }

    /** Resized and cropped as bytes, then normalised straight into the batch: the floats are written once. */
    private Tensor preprocess(List<RgbImage> images) {
        requireImages();
        List<RgbImage> crops = new ArrayList<>(images.size());
        for (RgbImage image : images) {
            crops.add(preprocessing.resizeAndCrop(image));
        }
        return preprocessing.stackCrops(crops);
    }

    private static List<float[]> rows(Tensor t) {
        int n = t.dim(0);
        int d = t.numel() / n;
        float[] all = t.toArray();
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Arrays.copyOfRange(all, i * d, (i + 1) * d));
        }
        return out;
    }

    /** Dimension {@code i} of a declared graph input or output, -1 when the file does not fix it. */
    private static int declaredDim(ValueInfoProto v, int i) {
        TensorShapeProto shape = v.getType().getTensorType().getShape();
        if (shape.getDimCount() <= i || !shape.getDim(i).hasDimValue()) {
            return -1;
        }
        return Math.toIntExact(shape.getDim(i).getDimValue());
    }

    /**
     * How to build a {@link ResNetModel}. Every setter checks its argument at once
     * ({@link IllegalArgumentException}); {@link #build()} reads the files and opens the engine.
     */
    public static final class Builder {
        private Path weights;
        private Path onnx;
        private byte[] onnxBytes;
        private InputStream weightsStream;
        private String streamName;
        private String checkpointKey;
        private Architecture architecture = Architecture.inferred();
        private Integer numClasses;
        private Integer inChannels;
        private EngineType engine = EngineType.ONNX_RUNTIME;
        private Device device = Device.CPU;
        private int threads;
        private ImageTransform transform = ImageTransform.IMAGENET_V1;
        private List<String> labels;
        private Path labelsFile;
        private Consumer<String> notes = note -> {};
        private java.time.Duration timeout;
        private Path sessionCache = EngineOptions.defaultSessionCache();
        private long maxImagePixels;
        private long maxImageBytes;
        private boolean lowPeakMemory;

        private Builder() {}

        /** A checkpoint: PyTorch {@code .pth} (zip or legacy) or {@code .safetensors}; the format is read from its bytes. */
        public Builder weights(Path checkpoint) {
            Objects.requireNonNull(checkpoint, "checkpoint");
            clearSource();
            this.weights = checkpoint;
            return this;
        }

        /**
         * The top-level key of a training checkpoint that holds the weights ({@code state_dict},
         * {@code model}, ...); by default it is found automatically.
         */
        public Builder checkpointKey(String key) {
            this.checkpointKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** An ONNX model instead of a checkpoint (from {@code export} or elsewhere). */
        public Builder onnx(Path model) {
            clearSource();
            this.onnx = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * An ONNX model held in memory (a resource of a fat jar, an object from storage), validated as a
         * file would be; {@code name} names it in messages.
         */
        public Builder onnx(byte[] model, String name) {
            clearSource();
            this.onnxBytes = Objects.requireNonNull(model, "model");
            this.streamName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * An ONNX model read to its end from {@code model} when the model is built (at most {@code
         * model.maxStreamBytes}, 4 GiB, and protobuf's 2 GiB); the stream stays open.
         */
        public Builder onnx(InputStream model, String name) {
            Objects.requireNonNull(model, "model");
            clearSource();
            this.weightsStream = model;
            this.streamName = Objects.requireNonNull(name, "name");
            this.onnxBytes = new byte[0]; // marks the stream as an ONNX model
            return this;
        }

        /**
         * A checkpoint read from {@code checkpoint} when the model is built: copied to a private
         * temporary file (at most {@code model.maxStreamBytes}, 4 GiB) that is read as a file would be,
         * under the same limits, and deleted once the model is built. {@code export} is not available
         * for such a model. The stream stays open.
         */
        public Builder weights(InputStream checkpoint, String name) {
            Objects.requireNonNull(checkpoint, "checkpoint");
            clearSource();
            this.weightsStream = checkpoint;
            this.streamName = Objects.requireNonNull(name, "name");
            return this;
        }

        private void clearSource() {
            weights = null;
            onnx = null;
            onnxBytes = null;
            weightsStream = null;
            streamName = null;
        }

        /** The architecture of the checkpoint (default {@link Architecture#inferred()}). */
        public Builder architecture(Architecture architecture) {
            this.architecture = Objects.requireNonNull(architecture, "architecture");
            return this;
        }

        /** Overrides the architecture's number of classes (fc outputs). */
        public Builder numClasses(int n) {
            this.numClasses = Arguments.atLeastOne("numClasses", n);
            return this;
        }

        /** Overrides the architecture's input channels (conv1 inputs); images need 3. */
        public Builder inChannels(int n) {
            this.inChannels = Arguments.atLeastOne("inChannels", n);
            return this;
        }

        /** {@code "ort"} (ONNX Runtime, the default) or {@code "java"} (the pure-Java engine). */
        public Builder engine(String name) {
            return engine(EngineType.parse(Objects.requireNonNull(name, "engine")));
        }

        /** The engine by kind. */
        public Builder engine(EngineType kind) {
            this.engine = Objects.requireNonNull(kind, "engine");
            return this;
        }

        /** {@code "cpu"} (default) or {@code "cuda"} (ONNX Runtime's GPU build only). */
        public Builder device(String name) {
            return device(Device.parse(Objects.requireNonNull(name, "device")));
        }

        /** The device by kind. */
        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** Intra-op threads; 0 (default) uses all cores. */
        public Builder threads(int threads) {
            this.threads = Arguments.threads(threads);
            return this;
        }

        /**
         * How images become the model's input: {@link ImageTransform#IMAGENET_V1} (default, resize 256,
         * crop 224), {@link ImageTransform#IMAGENET_V2} (resize 232) or a fine-tuned model's own
         * {@link ImageTransform#of}.
         */
        public Builder preprocessing(ImageTransform transform) {
            this.transform = Objects.requireNonNull(transform, "transform");
            return this;
        }

        /**
         * A preset by name: {@code "v1"} or {@code "v2"} ({@link ImageTransform#preset}).
         *
         * @throws IllegalArgumentException for another name
         */
        public Builder preprocessing(String preset) {
            return preprocessing(ImageTransform.preset(preset));
        }

        /**
         * Class names, one per class; by default ImageNet's for a 1000-class model, else "class N".
         */
        public Builder labels(List<String> names) {
            if (names.isEmpty()) {
                throw new IllegalArgumentException("labels is empty");
            }
            this.labels = List.copyOf(names);
            this.labelsFile = null;
            return this;
        }

        /** Class names from a UTF-8 file, one per line in class order. */
        public Builder labels(Path file) {
            this.labelsFile = Objects.requireNonNull(file, "file");
            this.labels = null;
            return this;
        }

        /**
         * How long one inference (one batch) may take; past it the engine stops the run and the call
         * throws {@link ResNet4jException.DeadlineException}. Default: no limit. Independently of it, a
         * call whose thread is interrupted ({@code Future.cancel(true)}) stops at the engine's next node
         * with a {@link java.util.concurrent.CancellationException}, its interrupt flag kept.
         */
        public Builder timeout(java.time.Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout is " + timeout + ", expected a positive duration");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Where ONNX Runtime's optimised form of the model is kept between processes, so the next
         * process that opens the same model skips parsing and optimising it (resnet50: session open
         * about 0.2 s instead of 0.7-1.0 s, and no second copy of the weights). Default: {@code
         * $XDG_CACHE_HOME/resnet4j/ort-sessions} or {@code ~/.cache/resnet4j/ort-sessions}. An entry is
         * used only for the same model bytes, ONNX Runtime version, optimisation settings and CPU
         * features; the folder must be private to the user (it is made so), else it is not used;
         * at most 1 GiB is kept, least recently used first out. A cache that cannot be written costs
         * only the speed-up. Applies to ONNX Runtime on the CPU.
         */
        public Builder sessionCache(Path folder) {
            this.sessionCache = Objects.requireNonNull(folder, "folder");
            return this;
        }

        /** No session cache: ONNX Runtime parses and optimises the model in every process. */
        public Builder noSessionCache() {
            this.sessionCache = null;
            return this;
        }

        /**
         * The most pixels an image this model decodes may have (default: {@code image.maxPixels},
         * 178,956,970, or its system property). A service should lower it to what its heap holds: an
         * image takes up to 8 bytes per pixel while decoded. Applies to the images the model decodes
         * itself; {@link ImageBatches} started apart use the system property's limit.
         */
        public Builder maxImagePixels(long pixels) {
            if (pixels < 1) {
                throw new IllegalArgumentException("maxImagePixels is " + pixels + ", expected 1 or more");
            }
            this.maxImagePixels = pixels;
            return this;
        }

        /** The most bytes an encoded image given as a stream or bytes may have (default: {@code image.maxBytes}, 256 MiB). */
        public Builder maxImageBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxImageBytes is " + bytes + ", expected 1 or more");
            }
            this.maxImageBytes = bytes;
            return this;
        }

        /**
         * Receives advice worth telling a user while the model is built, e.g. which of several nested
         * state_dicts of a training checkpoint was taken (choose another with {@link #checkpointKey}).
         */
        public Builder notes(Consumer<String> notes) {
            this.notes = Objects.requireNonNull(notes, "notes");
            return this;
        }

        /**
         * With {@code true}, a full garbage collection runs after the model is serialised and before
         * the engine copies it: the checkpoint's memory-mapped pages are returned first, about 200 MB
         * less peak memory for resnet50, for about 0.1 s. For short-lived processes (the command line);
         * a service usually leaves it off (the default).
         */
        public Builder lowPeakMemory(boolean on) {
            this.lowPeakMemory = on;
            return this;
        }

        /**
         * Reads the model, checks the weights against the architecture and opens the engine.
         *
         * @throws ResNet4jException.FileAccessException      a file is missing, not a regular file or unreadable
         * @throws ResNet4jException.FormatException          a file is corrupt, truncated or inconsistent
         * @throws ResNet4jException.UnsafeContentException   a file is refused on principle (a pickle global off
         *                                                    the allow-list, a bomb, a limit)
         * @throws ResNet4jException.MismatchException        the weights do not fit the architecture, or the labels
         *                                                    the classes
         * @throws ResNet4jException.UnsupportedModelException the architecture cannot be inferred, or the model
         *                                                    uses what the engine does not run
         * @throws ResNet4jException.EngineException          the engine cannot open the model (a missing CUDA provider)
         * @throws IllegalStateException when neither or both of weights and onnx were given, or
         *                               architecture options were given with an ONNX model
         */
        public ResNetModel build() {
            boolean isOnnx = onnx != null || onnxBytes != null;
            if (weights == null && onnx == null && onnxBytes == null && weightsStream == null) {
                throw new IllegalStateException("give the model: weights(...) or onnx(...)");
            }
            if (isOnnx
                    && (!(architecture instanceof Architecture.Inferred)
                            || numClasses != null
                            || inChannels != null
                            || checkpointKey != null)) {
                throw new IllegalStateException("an ONNX model already fixes its architecture; "
                        + "architecture, numClasses, inChannels and checkpointKey apply to weights(Path) only");
            }
            Prepared p = prepare();
            if (lowPeakMemory) {
                System.gc(); // the checkpoint is unreachable now: its pages go before the engine copies the model
            }
            ResNetModel model = new ResNetModel(this, p);
            if (lowPeakMemory) {
                System.gc(); // and the serialised model (the checkpoint's size, on the heap) once the engine holds it
            }
            return model;
        }

        /** Reads and builds the model, checks it, and serialises it with its features exposed. */
        private Prepared prepare() {
            ModelProto model;
            String name;
            ResNetSpec spec = null;
            Supplier<ModelProto> source;
            if (onnx != null) {
                Path file = onnx;
                model = Onnx.read(file);
                name = file.toString();
                source = () -> Onnx.read(file);
            } else if (onnxBytes != null) {
                byte[] bytes = weightsStream != null ? ModelStreams.readOnnx(weightsStream, streamName) : onnxBytes;
                model = Onnx.parse(bytes, streamName).proto();
                name = streamName;
                source = () -> Onnx.parse(bytes, streamName).proto();
            } else if (weightsStream != null) {
                Path copy = ModelStreams.copyCheckpoint(weightsStream, streamName);
                try {
                    LoadedCheckpoint ckpt = OnnxBuild.loadWeights(copy, checkpointKey);
                    spec = OnnxBuild.resolveSpec(
                            architecture.explicitSpec().orElse(null), numClasses, inChannels, ckpt);
                    model = OnnxBuild.buildModel(spec, ckpt, OnnxBuild.ExportOptions.defaults());
                    // the engine takes the model serialised below, after which the copy is not read again
                    model = Onnx.validated(model, streamName).proto();
                } finally {
                    ModelStreams.delete(copy);
                }
                name = streamName;
                source = () -> {
                    throw new IllegalStateException(streamName + ": a model built from a stream cannot be exported");
                };
            } else {
                LoadedCheckpoint ckpt;
                try {
                    ckpt = OnnxBuild.loadWeights(weights, checkpointKey);
                } catch (ResNet4jException.FormatException e) {
                    if (weights.getFileName()
                            .toString()
                            .toLowerCase(Locale.ROOT)
                            .endsWith(".onnx")) {
                        throw new ResNet4jException.FormatException(
                                e.getMessage() + "; an ONNX model is given as a model, not as weights", e);
                    }
                    throw e;
                }
                if (checkpointKey == null && !ckpt.alternatives().isEmpty()) {
                    notes.accept(weights + ": took the weights under '" + ckpt.nestedKey() + "'; also found "
                            + ckpt.alternatives());
                }
                spec = OnnxBuild.resolveSpec(architecture.explicitSpec().orElse(null), numClasses, inChannels, ckpt);
                model = OnnxBuild.buildModel(spec, ckpt, OnnxBuild.ExportOptions.defaults());
                name = weights.toString();
                Path file = weights;
                String key = checkpointKey;
                ResNetSpec built = spec;
                source = () -> OnnxBuild.buildModel(
                        built, OnnxBuild.loadWeights(file, key), OnnxBuild.ExportOptions.defaults());
            }
            int channels = spec != null
                    ? spec.inChannels()
                    : declaredDim(model.getGraph().getInput(0), 1);
            if (spec == null) {
                spec = ModelAssembler.recordedSpec(model).orElse(null);
            }
            List<String> names = ClassNames.of(declaredDim(model.getGraph().getOutput(0), 1), labels, labelsFile, name);
            String logits = model.getGraph().getOutput(0).getName();
            Optional<FeatureOutput.Exposed> exposed = FeatureOutput.expose(model);
            ModelProto run = exposed.map(FeatureOutput.Exposed::model).orElse(model);
            boolean ort = engine == EngineType.ONNX_RUNTIME;
            return new Prepared(
                    ort ? Onnx.validated(run, name) : null,
                    ort ? null : run,
                    name,
                    spec,
                    source,
                    channels,
                    names,
                    logits,
                    exposed.map(FeatureOutput.Exposed::name).orElse(null),
                    exposed.map(FeatureOutput.Exposed::dimensions).orElse(-1));
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "ResNetModel.Builder[%s, %s, engine %s, %s, threads %d, preprocessing %s]",
                    weights != null ? weights : onnx,
                    architecture,
                    engine.label(),
                    device,
                    threads,
                    transform);
        }
    }
}
