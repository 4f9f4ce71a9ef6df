package org.resnet4j.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.Engines;
import org.resnet4j.graph.FeatureOutput;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.Preprocessing;

/**
 * Image embeddings: the pooled features a classifier's final fully connected layer sees
 * ({@link FeatureOutput}), for image files in batches with {@link FileBatches}' rule for files
 * that fail. Safe to share between threads when its engine is (both engines are).
 */
public final class Embedder {
    /** The embeddings of the files that loaded, as rows of {@code features} [N, D] in input order, and the failures. */
    public record Report(List<Path> images, Tensor features, List<FileBatches.Failure> errors) {}

    private final Engine engine;
    private final Preprocessing preprocessing;
    private final String featuresName;

    /**
     * @param engine       runs a model that has the features among its outputs
     * @param featuresName the name of that output
     */
    public Embedder(Engine engine, Preprocessing preprocessing, String featuresName) {
        if (!engine.outputNames().contains(featuresName)) {
            throw new IllegalArgumentException(
                    "the engine's model has outputs " + engine.outputNames() + ", not " + featuresName);
        }
        this.engine = engine;
        this.preprocessing = preprocessing;
        this.featuresName = featuresName;
    }

    /**
     * The model with its features exposed, for an {@link Embedder}: fails when the model's output is
     * not made by a fully connected (Gemm) layer. {@code name} names the model in messages.
     */
    public static FeatureOutput.Exposed expose(ModelProto model, String name) {
        return FeatureOutput.expose(model)
                .orElseThrow(
                        () -> new UnsupportedModelException(
                                name
                                        + ": cannot embed: the model's output is not made by a Gemm (fc) node, so its pooled features cannot be found"));
    }

    /** Opens {@code model} with its features exposed on the engine {@code kind}. */
    public static Embedder open(
            Engines.Kind kind, ModelProto model, EngineOptions options, String name, Preprocessing preprocessing) {
        FeatureOutput.Exposed exposed = expose(model, name);
        Engine engine = Engines.open(kind, exposed.model(), options, name);
        return new Embedder(engine, preprocessing, exposed.name());
    }

    /** The engine, to close when done. */
    public Engine engine() {
        return engine;
    }

    /** The features of a preprocessed batch [N, C, H, W]: [N, D]. */
    public Tensor embed(Tensor batch) {
        Tensor f = engine.run(Map.of(engine.inputNames().get(0), batch)).get(featuresName);
        if (f.rank() != 2 || f.dim(0) != batch.dim(0)) {
            throw new MismatchException("the model returned features of shape " + Arrays.toString(f.shape())
                    + ", expected [" + batch.dim(0) + ", D]");
        }
        return f;
    }

    /**
     * {@link #embedFiles(List, FileBatches.Options, FileBatches.Progress)} in batches of
     * {@code batchSize}, decoded ahead by {@link FileBatches#decodeThreadsFor the cores} an engine
     * on all cores leaves over (one thread).
     */
    public Report embedFiles(List<Path> files, int batchSize, FileBatches.Progress progress) {
        return embedFiles(files, FileBatches.Options.of(batchSize, 0), progress);
    }

    /**
     * Embeds image files in batches, decoding the next batches while the engine runs one
     * ({@link FileBatches}); failed files are reported and left out.
     */
    public Report embedFiles(List<Path> files, FileBatches.Options batching, FileBatches.Progress progress) {
        try (FileBatches images = FileBatches.start(files, batching, preprocessing)) {
            return embedFiles(images, progress);
        }
    }

    /**
     * Embeds image files already being decoded ({@link FileBatches#start}, as its preprocessing
     * decodes them; started before the engine was opened, their decoding overlaps the engine's start-up).
     * Runs each batch once; the caller closes {@code images}.
     */
    public Report embedFiles(FileBatches images, FileBatches.Progress progress) {
        List<Path> ok = new ArrayList<>();
        List<Tensor> rows = new ArrayList<>();
        List<FileBatches.Failure> errors = images.run(progress, (paths, batch) -> {
            ok.addAll(paths);
            rows.add(embed(batch));
        });
        return new Report(List.copyOf(ok), rows.isEmpty() ? null : FileBatches.concat(rows), errors);
    }
}
