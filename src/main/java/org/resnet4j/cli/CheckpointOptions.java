package org.resnet4j.cli;

import java.nio.file.Path;
import org.resnet4j.Architecture;
import org.resnet4j.ResNet4jException;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.weights.LoadedCheckpoint;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The options that describe a model built from a checkpoint: architecture, overrides, weights. */
final class CheckpointOptions {
    @Option(
            names = "--arch",
            paramLabel = "NAME",
            description = "torchvision architecture: resnet18, resnet34, resnet50, resnet101, resnet152, "
                    + "resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2.")
    String arch;

    @Option(names = "--spec", paramLabel = "FILE", description = "Block spec as JSON (see README).")
    Path spec;

    @Option(names = "--num-classes", paramLabel = "N", description = "Override the number of classes (fc outputs).")
    Integer numClasses;

    @Option(names = "--in-channels", paramLabel = "N", description = "Override the input channels (conv1 inputs).")
    Integer inChannels;

    @Option(
            names = "--weights",
            paramLabel = "FILE",
            description = "Checkpoint: PyTorch .pth/.pt/.ckpt (zip or legacy) or .safetensors; the format is read from "
                    + "the bytes. Without --arch/--spec the architecture is inferred from it.")
    Path weights;

    @Option(
            names = "--key",
            paramLabel = "KEY",
            description =
                    "Top-level key of a training checkpoint that holds the weights (default: found automatically).")
    String key;

    /** Loads the checkpoint; notes on stderr which nested state_dict was taken when there was a choice. */
    LoadedCheckpoint loadWeights(CommandSpec command) {
        if (weights == null) {
            throw new ResNet4jException("give the weights with --weights FILE");
        }
        LoadedCheckpoint ckpt = OnnxBuild.loadWeights(weights, key);
        if (key == null && !ckpt.alternatives().isEmpty()) {
            command.commandLine()
                    .getErr()
                    .println("note: " + weights + ": took the weights under '" + ckpt.nestedKey() + "'; also found "
                            + ckpt.alternatives() + " (choose with --key)");
        }
        return ckpt;
    }

    /** The architecture: --arch or --spec when given, else inferred from the checkpoint. */
    ResNetSpec resolveSpec(LoadedCheckpoint ckpt) {
        try {
            return OnnxBuild.resolveSpec(architecture().explicitSpec().orElse(null), numClasses, inChannels, ckpt);
        } catch (ResNet4jException.UnsupportedModelException e) {
            if (arch == null && spec == null) {
                throw new ResNet4jException.UnsupportedModelException(
                        e.getMessage() + " with --arch NAME or --spec FILE");
            }
            throw e;
        }
    }

    /** --arch or --spec (at most one), else inferred. */
    Architecture architecture() {
        if (arch != null && spec != null) {
            throw new ResNet4jException("give either --arch or --spec, not both");
        }
        try {
            return arch != null
                    ? Architecture.preset(arch)
                    : spec != null ? Architecture.specFile(spec) : Architecture.inferred();
        } catch (IllegalArgumentException e) {
            throw new ResNet4jException(e.getMessage() + " (--arch)");
        }
    }

    boolean describesModel() {
        return arch != null
                || spec != null
                || weights != null
                || numClasses != null
                || inChannels != null
                || key != null;
    }
}
