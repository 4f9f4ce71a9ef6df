package org.resnet4j.cli;

import java.nio.file.Path;
import org.resnet4j.Architecture;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNetModel;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.build.OnnxBuild.ExportOptions;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.weights.LoadedCheckpoint;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** A model given as an ONNX file or as a checkpoint (with --arch/--spec, or inferred): run and classify. */
final class ModelSource {
    @Option(names = "--model", paramLabel = "FILE.onnx", description = "An ONNX model (from export or elsewhere).")
    Path modelFile;

    @Mixin
    CheckpointOptions checkpoint;

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
                OnnxBuild.buildModel(spec, ckpt, ExportOptions.defaults()), checkpoint.weights.toString(), spec, ckpt);
    }

    /**
     * The model as the library's builder: --model, or --weights with --arch/--spec, --num-classes,
     * --in-channels and --key; the notes of the build (which nested state_dict was taken) on stderr.
     */
    ResNetModel.Builder builder(CommandSpec command) {
        check();
        ResNetModel.Builder b = ResNetModel.builder();
        if (modelFile != null) {
            return b.onnx(modelFile);
        }
        Architecture architecture = checkpoint.architecture();
        b.weights(checkpoint.weights).architecture(architecture);
        if (checkpoint.numClasses != null) {
            b.numClasses(checkpoint.numClasses);
        }
        if (checkpoint.inChannels != null) {
            b.inChannels(checkpoint.inChannels);
        }
        if (checkpoint.key != null) {
            b.checkpointKey(checkpoint.key);
        }
        return b.notes(note -> command.commandLine().getErr().println("note: " + note + " (choose with --key)"));
    }

    /** Builds {@code b}; an architecture that cannot be inferred gets the flags that give one. */
    ResNetModel build(ResNetModel.Builder b) {
        try {
            return b.build();
        } catch (ResNet4jException.UnsupportedModelException e) {
            if (modelFile == null
                    && checkpoint.arch == null
                    && checkpoint.spec == null
                    && e.getMessage().endsWith("give the architecture explicitly (a preset or a spec)")) {
                throw new ResNet4jException.UnsupportedModelException(
                        e.getMessage() + " with --arch NAME or --spec FILE");
            }
            throw e;
        }
    }
}
