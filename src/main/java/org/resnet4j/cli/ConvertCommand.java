package org.resnet4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.weights.LoadedCheckpoint;
import org.resnet4j.weights.WeightsFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = "Rewrite a checkpoint with torchvision's canonical names as .safetensors or as a zip .pth "
                + "that torch.load reads (load_state_dict(strict=True) into the torchvision model).")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Option(names = "--weights", required = true, paramLabel = "FILE", description = "Any supported checkpoint.")
    Path weights;

    @Option(
            names = "--key",
            paramLabel = "KEY",
            description =
                    "Top-level key of a training checkpoint that holds the weights (default: found automatically).")
    String key;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "OUT.safetensors|OUT.pth",
            description =
                    "Output file; its extension chooses the format (.safetensors, or .pth/.pt). Written atomically.")
    Path out;

    @Override
    public Integer call() throws Exception {
        WeightsFormat format = WeightsFormat.forOutput(out);
        LoadedCheckpoint ckpt = OnnxBuild.loadWeights(weights, key);
        format.write(ckpt.tensors(), out);
        Lines.printf(
                commandSpec.commandLine().getOut(),
                "wrote %s: %s, %d tensors (%s names, from %s%s), %.1f MB%n",
                out,
                format.label(),
                ckpt.tensors().size(),
                "torchvision",
                ckpt.format().label(),
                ckpt.scheme() == null
                        ? " whose names match no known scheme: kept as stored"
                        : ckpt.scheme().equals("torchvision") ? "" : " with " + ckpt.scheme() + " names",
                Files.size(out) / 1e6);
        return 0;
    }
}
