package org.resnet4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.resnet4j.ImageBatches;
import org.resnet4j.ImageResult;
import org.resnet4j.ImageTransform;
import org.resnet4j.ResNet4jException;
import org.resnet4j.vision.ImageFiles;
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
    ImageTransform preset() {
        try {
            return ImageTransform.preset(preset);
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
    ImageBatches.Options batching(int engineThreads) {
        if (decodeThreads < 0) {
            throw new ResNet4jException(
                    "--decode-threads is " + decodeThreads + ", expected 1 or more, or 0 (automatic)");
        }
        ImageBatches.Options o = ImageBatches.Options.of(batch(), engineThreads);
        return decodeThreads == 0 ? o : o.withDecodeThreads(decodeThreads);
    }

    /** The image files: folders expanded, an error when none is left. */
    List<Path> files() {
        return ImageFiles.expandOrFail(inputs);
    }

    /** Names each skipped file on {@code err}; returns the exit code: 0, or 1 when some failed. */
    static int reportFailures(PrintWriter err, List<? extends ImageResult<?>> results) {
        long failed = 0;
        for (ImageResult<?> r : results) {
            if (!r.ok()) {
                Lines.println(err, "skipped " + r.error());
                failed++;
            }
        }
        if (failed > 0) {
            err.printf(Locale.ROOT, "%d of %d inputs failed%n", failed, results.size());
        }
        err.flush();
        return failed == 0 ? 0 : Main.EXIT_FAILURE;
    }
}
