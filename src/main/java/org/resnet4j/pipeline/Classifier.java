package org.resnet4j.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.resnet4j.Prediction;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.engine.Engine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.TensorShapeProto;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.ImageNetLabels;
import org.resnet4j.vision.Labels;
import org.resnet4j.vision.Preprocessing;

/**
 * Image classification with a model on an {@link Engine}: files are decoded and preprocessed as
 * torchvision does ({@link Preprocessing}), run in batches, and the logits turned into top-k class
 * indices with softmax probabilities and names.
 *
 * <pre>{@code
 * ModelProto model = ResNet4j.buildModel(Presets.get("resnet50"), ResNet4j.loadWeights(pth), ExportOptions.defaults());
 * try (Engine engine = Engines.open(Kind.ORT, model, EngineOptions.defaults(), "resnet50")) {
 *     Classifier c = new Classifier(engine, Preprocessing.imagenet(Preset.V2),
 *             Classifier.labelsFor(Classifier.numClasses(model), null));
 *     Classifier.Report r = c.classifyFiles(List.of(Path.of("cat.jpg")), 16, 5, false, null);
 * }
 * }</pre>
 *
 * A file that cannot be read or decoded does not stop the run ({@link FileBatches}): it is listed
 * in {@link Report#errors()} with a message that names it, and the other files are classified.
 * Safe to share between threads when its engine is (both engines are): each call keeps its own
 * state and its own decode threads.
 */
public final class Classifier {
    /** The top-k list of one image. */
    public record Result(Path image, List<Prediction> top) {}

    /**
     * What {@link #classifyFiles} did: results in input order (failed files left out), the failures,
     * and, when asked for, the preprocessed batch [N, 3, crop, crop] of the classified images (else null).
     */
    public record Report(List<Result> results, List<FileBatches.Failure> errors, Tensor inputs) {}

    private final Engine engine;
    private final FileBatches.Decoder<?> decoder;
    private final List<String> labels;

    /**
     * @param labels one name per class of the model ({@link #labelsFor}); the number of logits the
     *               model returns is checked against it
     */
    public Classifier(Engine engine, Preprocessing preprocessing, List<String> labels) {
        this(engine, FileBatches.Decoder.of(preprocessing), labels);
    }

    /** With any file-to-tensor step (tests use one that fails as no real image can, on demand). */
    Classifier(Engine engine, Function<Path, Tensor> preprocessing, List<String> labels) {
        this(engine, FileBatches.Decoder.ofTensors(preprocessing), labels);
    }

    private Classifier(Engine engine, FileBatches.Decoder<?> decoder, List<String> labels) {
        this.engine = engine;
        this.decoder = decoder;
        this.labels = List.copyOf(labels);
    }

    public List<String> labels() {
        return labels;
    }

    /**
     * The class names for a model with {@code numClasses} outputs: those in {@code labelsFile} when
     * given (their count must equal the model's), ImageNet's for a 1000-class model, else
     * {@code "class N"}. {@code numClasses} -1 (unknown) is accepted with a labels file only.
     */
    public static List<String> labelsFor(int numClasses, Path labelsFile) {
        if (labelsFile != null) {
            List<String> names = Labels.read(labelsFile);
            if (numClasses >= 0 && names.size() != numClasses) {
                throw new MismatchException("labels file " + labelsFile + " has " + names.size()
                        + " class names, the model has " + numClasses + " classes");
            }
            return names;
        }
        if (numClasses < 0) {
            throw new ResNet4jException(
                    "the model's output does not declare its number of classes; give the class names (a labels file)");
        }
        if (numClasses == ImageNetLabels.COUNT) {
            return ImageNetLabels.load();
        }
        List<String> names = new ArrayList<>(numClasses);
        for (int i = 0; i < numClasses; i++) {
            names.add("class " + i);
        }
        return Collections.unmodifiableList(names);
    }

    /** The model's number of classes: dimension 1 of its first output, -1 when not fixed in the file. */
    public static int numClasses(ModelProto model) {
        return dim(model.getGraph().getOutput(0), 1);
    }

    /** The model's input channels: dimension 1 of its first graph input, -1 when not fixed in the file. */
    public static int inputChannels(ModelProto model) {
        return dim(model.getGraph().getInput(0), 1);
    }

    private static int dim(ValueInfoProto v, int i) {
        TensorShapeProto shape = v.getType().getTensorType().getShape();
        if (shape.getDimCount() <= i || !shape.getDim(i).hasDimValue()) {
            return -1;
        }
        return Math.toIntExact(shape.getDim(i).getDimValue());
    }

    /** Checks that a model's declared input takes RGB images. */
    public static void checkModel(ModelProto model, String name) {
        checkInputChannels(inputChannels(model), name);
    }

    /** Checks that a model with {@code channels} input channels (-1: unknown) takes RGB images. */
    public static void checkInputChannels(int channels, String name) {
        if (channels >= 0 && channels != 3) {
            throw new MismatchException(
                    name + " takes " + channels + "-channel input; classify feeds RGB images (3 channels)");
        }
    }

    /**
     * {@link #classifyFiles(List, FileBatches.Options, int, boolean, FileBatches.Progress)} in batches
     * of {@code batchSize}, decoded ahead by {@link FileBatches#decodeThreadsFor the cores} an engine
     * on all cores leaves over (one thread).
     */
    public Report classifyFiles(
            List<Path> files, int batchSize, int k, boolean keepInputs, FileBatches.Progress progress) {
        return classifyFiles(files, FileBatches.Options.of(batchSize, 0), k, keepInputs, progress);
    }

    /**
     * Classifies the image files in batches, decoding the next batches while the engine runs one
     * ({@link FileBatches}); each result holds the {@code k} most probable classes (fewer if the
     * model has fewer). With {@code keepInputs} the report carries the preprocessed batch of every
     * classified image, in order.
     */
    public Report classifyFiles(
            List<Path> files, FileBatches.Options batching, int k, boolean keepInputs, FileBatches.Progress progress) {
        try (FileBatches images = FileBatches.start(files, batching, decoder)) {
            return classifyFiles(images, k, keepInputs, progress);
        }
    }

    /**
     * Classifies image files already being decoded ({@link FileBatches#start}, as its preprocessing
     * decodes them; started before the engine was opened, their decoding overlaps the engine's start-up).
     * Runs each batch once; the caller closes {@code images}.
     */
    public Report classifyFiles(FileBatches images, int k, boolean keepInputs, FileBatches.Progress progress) {
        if (k < 1) {
            throw new IllegalArgumentException("top-k is " + k + ", expected 1 or more");
        }
        List<Result> results = new ArrayList<>();
        List<Tensor> kept = new ArrayList<>();
        List<FileBatches.Failure> errors = images.run(progress, (ok, batch) -> {
            List<List<Prediction>> tops = classify(batch, k);
            for (int i = 0; i < ok.size(); i++) {
                results.add(new Result(ok.get(i), tops.get(i)));
            }
            if (keepInputs) {
                kept.add(batch);
            }
        });
        Tensor inputs = keepInputs && !kept.isEmpty() ? FileBatches.concat(kept) : null;
        return new Report(List.copyOf(results), errors, inputs);
    }

    /** Runs a preprocessed batch [N, C, H, W] and returns each row's top-k predictions. */
    public List<List<Prediction>> classify(Tensor batch, int k) {
        Tensor logits = engine.run(batch);
        if (logits.rank() != 2 || logits.dim(0) != batch.dim(0)) {
            throw new MismatchException("the model returned logits of shape " + Arrays.toString(logits.shape())
                    + ", expected [" + batch.dim(0) + ", classes]");
        }
        if (logits.dim(1) != labels.size()) {
            throw new MismatchException("the model returned " + logits.dim(1) + " logits per image, but there are "
                    + labels.size() + " class names");
        }
        return topK(logits, k, labels);
    }

    /** Each row's {@code k} largest softmax probabilities, highest first (ties: lower index first). */
    public static List<List<Prediction>> topK(Tensor logits, int k, List<String> labels) {
        int rows = logits.dim(0);
        int classes = logits.dim(1);
        float[] data = logits.toArray();
        List<List<Prediction>> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            double[] p = softmax(data, r * classes, classes);
            Integer[] order = new Integer[classes];
            for (int i = 0; i < classes; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
            List<Prediction> top = new ArrayList<>();
            for (int i = 0; i < Math.min(k, classes); i++) {
                int c = order[i];
                top.add(new Prediction(c, labels.get(c), p[c]));
            }
            out.add(List.copyOf(top));
        }
        return out;
    }

    /** Softmax of {@code n} logits from {@code offset}, in double, max-subtracted for stability. */
    public static double[] softmax(float[] logits, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[offset + i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
