package org.resnet4j.cli;

import java.nio.file.Path;
import org.resnet4j.ResNet4j;
import org.resnet4j.ResNet4j.ExportOptions;
import org.resnet4j.ResNet4jException;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.weights.LoadedCheckpoint;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** A model given as an ONNX file or as a checkpoint (with --arch/--spec, or inferred): run and classify. */
final class ModelChoice {
    @Option(names = "--model", paramLabel = "FILE.onnx", description = "An ONNX model (from export or elsewhere).")
    Path modelFile;

    @Mixin
    ModelOptions checkpoint;

    /** A built or read model, its name for messages, and its spec and checkpoint when built from one. */
    record Model(ModelProto onnx, String name, ResNetSpec spec, LoadedCheckpoint checkpoint) {}

    /** Exactly one of --model and --weights, and no architecture options beside --model. */
    void check() {
        if ((modelFile == null) == (checkpoint.weights == null)) {
            throw new ResNet4jException("give either --model FILE.onnx or --weights FILE (with --arch or --spec, or "
                    + "inferred from the weights), not " + (modelFile == null ? "neither" : "both"));
        }
        if (modelFile != null && checkpoint.describesModel()) {
            throw new ResNet4jException(
                    "--model FILE.onnx already describes the model; drop --arch/--spec/--num-classes/--in-channels/--key");
        }
    }

    Model load(CommandSpec command) {
        check();
        if (modelFile != null) {
            return new Model(Onnx.read(modelFile), modelFile.toString(), null, null);
        }
        LoadedCheckpoint ckpt = checkpoint.loadWeights(command);
        ResNetSpec spec = checkpoint.resolveSpec(ckpt);
        return new Model(
                ResNet4j.buildModel(spec, ckpt, ExportOptions.defaults()), checkpoint.weights.toString(), spec, ckpt);
    }
}
