package org.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.resnet4j.ImageBatches;
import org.resnet4j.ImageResult;
import org.resnet4j.ImageTransform;
import org.resnet4j.Prediction;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNetModel;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "classify",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Classify images as torchvision does: PIL-identical decoding and ImageNet preprocessing, "
                    + "top-k classes with softmax probabilities.",
            "Folders are searched recursively for .jpg/.jpeg/.png/.bmp/.gif/.webp files (sorted; hidden ones skipped); files "
                    + "named explicitly are tried whatever their extension. A file that cannot be read or decoded "
                    + "is reported by name on standard error and skipped; the others are still classified."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every input was classified",
            "1:some inputs failed (each named on standard error; the rest were classified), "
                    + "or the model or an option is wrong",
            "2:usage error",
            "3:internal error (a bug in resnet4j; please report it)"
        })
final class ClassifyCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = Lines.JSON;

    @Spec
    CommandSpec commandSpec;

    @Mixin
    ModelSource model;

    @Option(
            names = "--top",
            defaultValue = "5",
            paramLabel = "K",
            description = "Classes per image (default ${DEFAULT-VALUE}).")
    int top;

    @Option(
            names = "--json",
            description = "Print {\"results\": [{\"image\", \"top\": [{\"index\", \"label\", "
                    + "\"probability\"}]}], \"errors\": [{\"image\", \"message\"}]} instead of text.")
    boolean json;

    @Option(
            names = "--labels",
            paramLabel = "FILE",
            description = "Class names, one per line in class order (default: ImageNet's for a 1000-class model, "
                    + "else \"class N\"). Their count must equal the model's classes.")
    Path labels;

    @Option(
            names = "--save-input",
            paramLabel = "X.npy",
            description =
                    "Also write the preprocessed batch [N, 3, 224, 224] of the classified images, in output order "
                            + "(float32 .npy, written atomically; held in memory until the end: 600 kB per image).")
    Path saveInput;

    @Mixin
    EngineChoice engine;

    @Mixin
    ImageInputs images;

    @Override
    public Integer call() throws Exception {
        model.check();
        if (top < 1) {
            throw new ResNet4jException("--top is " + top + ", expected 1 or more");
        }
        ImageBatches.Options batching = images.batching(engine.options().threads());
        ImageTransform preset = images.preset();
        List<Path> files = images.files();
        List<ImageResult<List<Prediction>>> results = new ArrayList<>(files.size());
        ProgressBar bar = new ProgressBar(err(), "classify", "images");
        Optional<Tensor> inputs = Optional.empty();
        // the images are decoded from here on, while the model loads and the engine opens
        try (ImageBatches decoding = ImageBatches.start(files, preset, batching)) {
            if (saveInput != null) {
                decoding.keepInputs();
            }
            ResNetModel.Builder b = engine.configure(model.builder(commandSpec))
                    .preprocessing(preset)
                    .lowPeakMemory(true);
            if (labels != null) {
                b.labels(labels);
            }
            try (ResNetModel m = model.build(b)) {
                m.classifyFiles(decoding, k(m), r -> {
                    results.add(r);
                    bar.update(results.size(), files.size());
                });
            }
            if (saveInput != null) {
                inputs = decoding.inputs();
            }
        }
        if (saveInput != null) {
            if (inputs.isPresent()) {
                Npy.write(inputs.get(), saveInput);
            } else {
                err().println("not writing " + saveInput + ": no image was classified");
            }
        }
        if (json) {
            out().println(JSON.writeValueAsString(toJson(results)));
        } else {
            printText(results);
        }
        return ImageInputs.reportFailures(err(), results);
    }

    /** --top; its default, 5, is cut to a model of fewer classes, a --top given beyond them is an error. */
    private int k(ResNetModel m) {
        boolean given = commandSpec.commandLine().getParseResult().hasMatchedOption("--top");
        if (top > m.numClasses()) {
            if (given) {
                throw new ResNet4jException("--top is " + top + ", the model has " + m.numClasses() + " classes");
            }
            return m.numClasses();
        }
        return top;
    }

    static ObjectNode toJson(List<ImageResult<List<Prediction>>> results) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("results");
        for (ImageResult<List<Prediction>> r : results) {
            if (!r.ok()) {
                continue;
            }
            ObjectNode o = array.addObject();
            o.put("image", r.image());
            ArrayNode top = o.putArray("top");
            for (Prediction pr : r.value()) {
                top.addObject()
                        .put("index", pr.index())
                        .put("label", pr.label())
                        .put("probability", pr.probability());
            }
        }
        ArrayNode errors = root.putArray("errors");
        for (ImageResult<List<Prediction>> r : results) {
            if (!r.ok()) {
                errors.addObject().put("image", r.image()).put("message", r.error());
            }
        }
        return root;
    }

    private void printText(List<ImageResult<List<Prediction>>> results) {
        PrintWriter out = out();
        for (ImageResult<List<Prediction>> r : results) {
            if (!r.ok()) {
                continue;
            }
            Lines.println(out, r.image());
            for (Prediction pr : r.value()) {
                Lines.printf(out, "  %6.2f%%  %4d  %s%n", 100 * pr.probability(), pr.index(), pr.label());
            }
        }
    }

    private PrintWriter out() {
        return commandSpec.commandLine().getOut();
    }

    private PrintWriter err() {
        return commandSpec.commandLine().getErr();
    }
}
