package org.resnet4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.build.OnnxBuild.ExportOptions;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.weights.LoadedCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Build the ONNX graph for an architecture, bind a checkpoint's weights, write a .onnx file.")
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Mixin
    CheckpointOptions model;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE.onnx",
            description = "Output ONNX file (written atomically).")
    Path out;

    @Option(
            names = "--opset",
            paramLabel = "N",
            defaultValue = "17",
            description =
                    "ONNX opset, 13 to 21 (default: ${DEFAULT-VALUE}; 17 keeps IR version 8, which onnx 1.12 accepts).")
    int opset;

    @Option(names = "--fold-bn", description = "Fold each BatchNormalization into the Conv before it.")
    boolean foldBn;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        Onnx.checkOpset(opset);
        LoadedCheckpoint ckpt = model.loadWeights(commandSpec);
        ResNetSpec spec = model.resolveSpec(ckpt);
        ModelProto onnx = OnnxBuild.buildModel(spec, ckpt, new ExportOptions(opset, foldBn));
        Onnx.write(onnx, out);
        double seconds = (System.nanoTime() - start) / 1e9;
        Lines.printf(
                out(),
                "wrote %s: %s, %,d parameters, opset %d%s, %.1f MB in %.2f s%n",
                out,
                Presets.match(spec).orElse("custom spec")
                        + (model.arch == null && model.spec == null ? " (inferred)" : ""),
                ckpt.tensors().parameterCount(),
                opset,
                foldBn ? ", BatchNorm folded" : "",
                Files.size(out) / 1e6,
                seconds);
        return 0;
    }

    private java.io.PrintWriter out() {
        return commandSpec.commandLine().getOut();
    }
}
