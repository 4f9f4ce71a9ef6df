package org.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.resnet4j.Prediction;
import org.resnet4j.ResNet4jException;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.Engines;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.pipeline.Classifier;
import org.resnet4j.pipeline.FileBatches;
import org.resnet4j.tensor.Npy;
import org.resnet4j.vision.Preprocessing;
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
    ModelChoice model;

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
        FileBatches.Options batching = images.batching(engine.options().threads());
        Preprocessing preprocessing = images.preprocessing();
        List<Path> files = images.files();
        Classifier.Report report;
        // the images are decoded from here on, while the model loads and the engine opens
        try (FileBatches decoding = FileBatches.start(files, batching, preprocessing)) {
            Opened opened = open(preprocessing);
            ImageInputs.releaseUnreachable();
            try (Engine e = opened.engine()) {
                report = opened.classifier()
                        .classifyFiles(decoding, top, saveInput != null, new ProgressBar(err(), "classify", "images"));
            }
        }
        if (saveInput != null) {
            if (report.inputs() != null) {
                Npy.write(report.inputs(), saveInput);
            } else {
                err().println("not writing " + saveInput + ": no image was classified");
            }
        }
        if (json) {
            out().println(JSON.writeValueAsString(toJson(report)));
        } else {
            printText(report);
        }
        return ImageInputs.reportFailures(err(), report.errors(), files.size());
    }

    /** The engine with the model loaded, its classifier, the image files. */
    private record Opened(Engine engine, Classifier classifier) {}

    private Opened open(Preprocessing preprocessing) {
        Prepared p = prepare();
        ImageInputs.releaseUnreachable();
        Engine e = Engines.open(engine.kind(), p.model(), engine.options());
        return new Opened(e, new Classifier(e, preprocessing, p.labels()));
    }

    private record Prepared(Onnx.ValidatedModel model, List<String> labels) {}

    // the model serialised for the engine and its class names; nothing else of the checkpoint is kept
    private Prepared prepare() {
        ModelChoice.Model m = model.load(commandSpec);
        ImageInputs.checkTakesImages(m);
        ModelProto onnx = m.onnx();
        List<String> names = Classifier.labelsFor(Classifier.numClasses(onnx), labels);
        return new Prepared(Onnx.validated(onnx, m.name()), names);
    }

    static ObjectNode toJson(Classifier.Report report) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode results = root.putArray("results");
        for (Classifier.Result r : report.results()) {
            ObjectNode o = results.addObject();
            o.put("image", r.image().toString());
            ArrayNode top = o.putArray("top");
            for (Prediction pr : r.top()) {
                top.addObject()
                        .put("index", pr.index())
                        .put("label", pr.label())
                        .put("probability", pr.probability());
            }
        }
        ArrayNode errors = root.putArray("errors");
        for (FileBatches.Failure f : report.errors()) {
            errors.addObject().put("image", f.image().toString()).put("message", f.message());
        }
        return root;
    }

    private void printText(Classifier.Report report) {
        PrintWriter out = out();
        for (Classifier.Result r : report.results()) {
            Lines.println(out, r.image().toString());
            for (Prediction pr : r.top()) {
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
