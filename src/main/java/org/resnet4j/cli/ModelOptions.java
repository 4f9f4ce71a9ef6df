package org.resnet4j.cli;

import java.nio.file.Path;
import org.resnet4j.ResNet4j;
import org.resnet4j.spec.ResNetSpec;
import picocli.CommandLine.Option;

/** The options that describe a model built from a checkpoint: architecture, overrides, weights. */
final class ModelOptions {
    @Option(names = "--arch", paramLabel = "NAME",
            description = "torchvision architecture: resnet18, resnet34, resnet50, resnet101, resnet152, "
                    + "resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2.")
    String arch;

    @Option(names = "--spec", paramLabel = "FILE", description = "Block spec as JSON (see README).")
    Path spec;

    @Option(names = "--num-classes", paramLabel = "N", description = "Override the number of classes (fc outputs).")
    Integer numClasses;

    @Option(names = "--in-channels", paramLabel = "N", description = "Override the input channels (conv1 inputs).")
    Integer inChannels;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Checkpoint: PyTorch .pth/.pt (zip) or .safetensors; the format is read from the bytes.")
    Path weights;

    ResNetSpec resolveSpec() {
        return ResNet4j.resolveSpec(arch, spec, numClasses, inChannels);
    }

    boolean describesModel() {
        return arch != null || spec != null || weights != null || numClasses != null || inChannels != null;
    }
}
