package org.resnet4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.resnet4j.CalibrationMethod;
import org.resnet4j.ImageTransform;
import org.resnet4j.Int8Quantizer;
import org.resnet4j.ResNet4jException;
import org.resnet4j.vision.ImageFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "quantize",
        mixinStandardHelpOptions = true,
        description = "Quantize a float checkpoint to an int8 QDQ ONNX model, calibrating its activations on images.")
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Mixin
    CheckpointOptions model;

    @Option(
            names = "--calibrate",
            required = true,
            arity = "1..*",
            paramLabel = "IMAGE|DIR",
            description = "Calibration images and folders (searched recursively, as classify does).")
    List<Path> calibrate;

    @Option(
            names = "--method",
            defaultValue = "minmax",
            paramLabel = "minmax|percentile|entropy",
            description = "How activation ranges are chosen (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--per-channel", description = "Quantize weights per output channel (default: per tensor).")
    boolean perChannel;

    @Option(
            names = "--preset",
            defaultValue = "v1",
            paramLabel = "v1|v2",
            description = "torchvision's preprocessing of the calibration images (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(
            names = "--batch",
            defaultValue = "8",
            paramLabel = "N",
            description = "Calibration images per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--threads",
            defaultValue = "0",
            paramLabel = "T",
            description = "ONNX Runtime threads for the float model (default 0: all cores).")
    int threads;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE.onnx",
            description = "Output int8 ONNX model (written atomically).")
    Path out;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        CalibrationMethod m;
        ImageTransform t;
        try {
            m = CalibrationMethod.parse(method);
        } catch (IllegalArgumentException e) {
            throw new ResNet4jException("--method: " + e.getMessage());
        }
        try {
            t = ImageTransform.preset(preset);
        } catch (IllegalArgumentException e) {
            throw new ResNet4jException(e.getMessage() + " (--preset)");
        }
        if (batch < 1 || threads < 0) {
            throw new ResNet4jException("--batch must be at least 1 and --threads at least 0");
        }
        List<Path> files = ImageFiles.expandOrFail(calibrate);
        model.loadWeights(commandSpec); // the checkpoint's notes, and its errors before any image is read
        ProgressBar bar = new ProgressBar(commandSpec.commandLine().getErr(), "calibrate", "images");
        Int8Quantizer.Builder q = Int8Quantizer.builder().weights(model.weights);
        if (model.key != null) {
            q.checkpointKey(model.key);
        }
        if (model.numClasses != null) {
            q.numClasses(model.numClasses);
        }
        if (model.inChannels != null) {
            q.inChannels(model.inChannels);
        }
        Int8Quantizer.Result r = q.architecture(model.architecture())
                .method(m)
                .perChannel(perChannel)
                .preprocessing(t)
                .batchSize(batch)
                .threads(threads)
                .progress(bar::update)
                .build()
                .quantize(files, out);
        int code = ImageInputs.reportFailures(commandSpec.commandLine().getErr(), r.failures());
        Lines.printf(
                commandSpec.commandLine().getOut(),
                "wrote %s: int8 (%s weights, uint8 activations), calibrated with %s on %d images, %.1f MB in %.1f s%n",
                out,
                perChannel ? "per-channel" : "per-tensor",
                m.label(),
                r.images(),
                Files.size(out) / 1e6,
                (System.nanoTime() - start) / 1e9);
        return code;
    }
}
