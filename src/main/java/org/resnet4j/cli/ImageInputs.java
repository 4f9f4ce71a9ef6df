package org.resnet4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.resnet4j.ResNet4jException;
import org.resnet4j.pipeline.Classifier;
import org.resnet4j.pipeline.FileBatches;
import org.resnet4j.vision.Preprocessing;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image inputs classify and embed share: files and folders, the preprocessing preset, the batch size. */
final class ImageInputs {
    @Option(
            names = "--preset",
            defaultValue = "v1",
            paramLabel = "v1|v2",
            description = "torchvision preprocessing: v1 (resize 256, the IMAGENET1K_V1 weights) or v2 "
                    + "(resize 232, the IMAGENET1K_V2 weights); both center-crop 224. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(
            names = "--batch",
            defaultValue = "16",
            paramLabel = "N",
            description = "Images per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--decode-threads",
            defaultValue = "0",
            paramLabel = "N",
            description = "Threads that decode and preprocess images while the engine runs the previous batch "
                    + "(default 0: the cores --threads leaves over, at least 1).")
    int decodeThreads;

    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR", description = "Image files and folders.")
    List<Path> inputs;

    /** The preprocessing --preset names. */
    Preprocessing preprocessing() {
        try {
            return Preprocessing.imagenet(org.resnet4j.vision.Preset.parse(preset));
        } catch (IllegalArgumentException e) {
            throw new ResNet4jException(e.getMessage() + " (--preset)");
        }
    }

    /** --batch, checked. */
    int batch() {
        if (batch < 1) {
            throw new ResNet4jException("--batch is " + batch + ", expected 1 or more");
        }
        return batch;
    }

    /** --batch and --decode-threads, checked; 0 decode threads are the cores {@code engineThreads} leaves over. */
    FileBatches.Options batching(int engineThreads) {
        if (decodeThreads < 0) {
            throw new ResNet4jException(
                    "--decode-threads is " + decodeThreads + ", expected 1 or more, or 0 (automatic)");
        }
        FileBatches.Options o = FileBatches.Options.of(batch(), engineThreads);
        return decodeThreads == 0 ? o : o.withDecodeThreads(decodeThreads);
    }

    /**
     * Returns what the command has let go to the system with one full collection (~0.1 s), called
     * twice: once the model is serialised ({@code Onnx.validated}) and nothing else of it is held,
     * so that the checkpoint's memory-mapped pages are unmapped before ONNX Runtime copies and
     * optimises the model (resnet50, 200 images, the heap not held small: peak RSS 800-977 MB
     * without, 780 MB with); and once the engine is open, for the serialised model (the checkpoint's
     * size, on the heap), which would otherwise stay resident until the heap filled. The caller must
     * not hold what it lets go.
     */
    static void releaseUnreachable() {
        System.gc();
    }

    /** The image files: folders expanded, an error when none is left. */
    List<Path> files() {
        return ImageFiles.expandOrFail(inputs);
    }

    /** Checks that the model takes RGB images: its spec when built from a checkpoint, else its declared input. */
    static void checkTakesImages(ModelChoice.Model m) {
        if (m.spec() != null) {
            Classifier.checkInputChannels(m.spec().inChannels(), m.name());
        }
        Classifier.checkModel(m.onnx(), m.name());
    }

    /** Names each skipped file on {@code err}; returns the exit code: 0, or 1 when some failed. */
    static int reportFailures(PrintWriter err, List<FileBatches.Failure> failures, int total) {
        for (FileBatches.Failure f : failures) {
            Lines.println(err, "skipped " + f.message());
        }
        if (!failures.isEmpty()) {
            err.printf(Locale.ROOT, "%d of %d inputs failed%n", failures.size(), total);
        }
        err.flush();
        return failures.isEmpty() ? 0 : Main.EXIT_FAILURE;
    }
}
