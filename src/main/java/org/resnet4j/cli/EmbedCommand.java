package org.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.resnet4j.ResNet4jException;
import org.resnet4j.engine.Engines;
import org.resnet4j.graph.FeatureOutput;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.pipeline.Embedder;
import org.resnet4j.pipeline.FileBatches;
import org.resnet4j.tensor.AtomicOutput;
import org.resnet4j.tensor.Npy;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.vision.Preprocessing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Image embeddings: the pooled features the model's final fully connected layer sees (what "
                    + "torchvision returns with model.fc = nn.Identity()), with classify's PIL-identical preprocessing.",
            "Writes an [N, D] float32 .npy, one row per image, and beside it a .json with the image paths in row order "
                    + "(both written atomically). Folders and failing files as in classify: a file that cannot be read or "
                    + "decoded is named on standard error and skipped."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every input was embedded",
            "1:some inputs failed (each named on standard error; the rest were embedded and written), "
                    + "or the model or an option is wrong",
            "2:usage error",
            "3:internal error (a bug in resnet4j; please report it)"
        })
final class EmbedCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = Lines.JSON;

    @Spec
    CommandSpec commandSpec;

    @Mixin
    ModelChoice model;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FEATURES.npy",
            description = "The [N, D] float32 embeddings; the image paths go to the same name with .json.")
    Path out;

    @Option(
            names = "--json",
            description = "Also print {\"out\", \"paths\", \"shape\", \"images\": [...], "
                    + "\"errors\": [{\"image\", \"message\"}]} on standard output.")
    boolean json;

    @Mixin
    EngineChoice engine;

    @Mixin
    ImageInputs images;

    @Override
    public Integer call() throws Exception {
        model.check();
        FileBatches.Options batching = images.batching(engine.options().threads());
        Preprocessing preprocessing = images.preprocessing();
        Path paths = sidecar(out);
        List<Path> files = images.files();
        Embedder.Report report;
        // the images are decoded from here on, while the model loads and the engine opens
        try (FileBatches decoding = FileBatches.start(files, batching, preprocessing)) {
            Embedder embedder = open(preprocessing);
            ImageInputs.releaseUnreachable();
            try {
                report = embedder.embedFiles(decoding, new ProgressBar(err(), "embed", "images"));
            } finally {
                embedder.engine().close();
            }
        }
        if (report.features() == null) {
            ImageInputs.reportFailures(err(), report.errors(), files.size());
            throw new ResNet4jException("no image could be embedded; not writing " + out);
        }
        ObjectNode sidecar = JSON.createObjectNode();
        sidecar.put("features", out.getFileName().toString());
        ArrayNode shape = sidecar.putArray("shape");
        shape.add(report.features().dim(0)).add(report.features().dim(1));
        ArrayNode images = sidecar.putArray("images");
        report.images().forEach(i -> images.add(i.toString()));
        byte[] sidecarBytes = JSON.writeValueAsBytes(sidecar);
        // the features and their path list are committed together: neither without the other
        Tensor features = report.features();
        try (AtomicOutput.Batch batch = new AtomicOutput.Batch()) {
            batch.write(out, o -> Npy.write(features, o));
            batch.write(paths, o -> o.write(sidecarBytes));
            batch.commit();
        }
        if (json) {
            ObjectNode o = sidecar.deepCopy();
            o.put("features", out.toString());
            o.put("paths", paths.toString());
            ArrayNode errors = o.putArray("errors");
            report.errors()
                    .forEach(f -> errors.addObject()
                            .put("image", f.image().toString())
                            .put("message", f.message()));
            out().println(JSON.writeValueAsString(o));
        } else {
            Lines.printf(
                    err(),
                    "wrote %s [%d, %d] and %s%n",
                    out,
                    report.features().dim(0),
                    report.features().dim(1),
                    paths);
        }
        return ImageInputs.reportFailures(err(), report.errors(), files.size());
    }

    /**
     * Loads, checks and serialises the model, then opens the engine. Nothing of the checkpoint is
     * kept past {@link #prepare}, so that {@link ImageInputs#releaseUnreachable} frees it before ONNX
     * Runtime copies the model.
     */
    private Embedder open(Preprocessing preprocessing) {
        Prepared p = prepare();
        ImageInputs.releaseUnreachable();
        return new Embedder(Engines.open(engine.kind(), p.model(), engine.options()), preprocessing, p.features());
    }

    private record Prepared(Onnx.ValidatedModel model, String features) {}

    // the model with its features exposed, serialised for the engine; nothing else of the checkpoint is kept
    private Prepared prepare() {
        ModelChoice.Model m = model.load(commandSpec);
        ImageInputs.checkTakesImages(m);
        FeatureOutput.Exposed exposed = Embedder.expose(m.onnx(), m.name());
        return new Prepared(Onnx.validated(exposed.model(), m.name()), exposed.name());
    }

    /** {@code features.npy} → {@code features.json}; any other name gets {@code .json} appended. */
    static Path sidecar(Path npy) {
        String name = npy.getFileName().toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        return npy.resolveSibling(base + ".json");
    }

    private PrintWriter out() {
        return commandSpec.commandLine().getOut();
    }

    private PrintWriter err() {
        return commandSpec.commandLine().getErr();
    }
}
