package org.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.resnet4j.ImageBatches;
import org.resnet4j.ImageResult;
import org.resnet4j.ImageTransform;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNetModel;
import org.resnet4j.files.AtomicOutput;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.Npy;
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
    ModelSource model;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FEATURES.npy",
            description = "The [N, D] float32 embeddings; the image paths go to the same name with .json.")
    Path out;

    @Option(
            names = "--json",
            description = "Also print {\"features\", \"paths\", \"shape\", \"images\": [...], "
                    + "\"errors\": [{\"image\", \"message\"}]} on standard output.")
    boolean json;

    @Mixin
    EngineChoice engine;

    @Mixin
    ImageInputs images;

    @Override
    public Integer call() throws Exception {
        model.check();
        ImageBatches.Options batching = images.batching(engine.options().threads());
        ImageTransform preset = images.preset();
        Path paths = sidecar(out);
        List<Path> files = images.files();
        List<ImageResult<float[]>> results = new ArrayList<>(files.size());
        ProgressBar bar = new ProgressBar(err(), "embed", "images");
        // the images are decoded from here on, while the model loads and the engine opens
        try (ImageBatches decoding = ImageBatches.start(files, preset, batching);
                ResNetModel m = model.build(engine.configure(model.builder(commandSpec))
                        .preprocessing(preset)
                        .lowPeakMemory(true))) {
            m.embedFiles(decoding, r -> {
                results.add(r);
                bar.update(results.size(), files.size());
            });
        }
        List<float[]> rows = new ArrayList<>();
        List<String> embedded = new ArrayList<>();
        for (ImageResult<float[]> r : results) {
            if (r.ok()) {
                rows.add(r.value());
                embedded.add(r.image());
            }
        }
        if (rows.isEmpty()) {
            ImageInputs.reportFailures(err(), results);
            throw new ResNet4jException("no image could be embedded; not writing " + out);
        }
        int d = rows.get(0).length;
        float[] all = new float[Math.multiplyExact(rows.size(), d)];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, all, i * d, d);
        }
        Tensor features = Tensor.of(new int[] {rows.size(), d}, all);
        ObjectNode sidecar = JSON.createObjectNode();
        sidecar.put("features", out.getFileName().toString());
        ArrayNode shape = sidecar.putArray("shape");
        shape.add(rows.size()).add(d);
        ArrayNode images = sidecar.putArray("images");
        embedded.forEach(images::add);
        byte[] sidecarBytes = JSON.writeValueAsBytes(sidecar);
        // the features and their path list are committed together: neither without the other
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
            results.stream()
                    .filter(r -> !r.ok())
                    .forEach(r -> errors.addObject().put("image", r.image()).put("message", r.error()));
            out().println(JSON.writeValueAsString(o));
        } else {
            Lines.printf(err(), "wrote %s [%d, %d] and %s%n", out, rows.size(), d, paths);
        }
        return ImageInputs.reportFailures(err(), results);
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
