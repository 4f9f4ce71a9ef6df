package org.resnet4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.resnet4j.ResNet4j;
import org.resnet4j.ResNet4j.ExportOptions;
import org.resnet4j.ResNet4jException;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.Engines;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.Npy;
import org.resnet4j.tensor.Shapes;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.LoadedCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a model on an input tensor (.npy, [N, C, H, W] float) and write the logits (.npy).")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Option(names = "--model", paramLabel = "FILE.onnx", description = "An ONNX model (from export or elsewhere).")
    Path modelFile;

    @Mixin
    ModelOptions model;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Input tensor, float32/float64/float16 .npy in C order.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "Y.npy", description = "Output file for the first model output, float32 .npy (written atomically).")
    Path output;

    @Option(names = "--engine", defaultValue = "ort", paramLabel = "ort|java",
            description = "ort: ONNX Runtime (default); java: resnet4j's pure-Java engine (CPU only).")
    Engines.Kind engine;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda",
            description = "Where ONNX Runtime runs: cpu (default) or cuda (needs the -Pgpu build, CUDA 12, cuDNN 9).")
    String device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "T", description = "Intra-op threads (default 0: all cores).")
    int threads;

    @Override
    public Integer call() throws Exception {
        if ((modelFile == null) == (model.weights == null)) {
            throw new ResNet4jException("give either --model FILE.onnx or --weights FILE (with --arch or --spec), not "
                    + (modelFile == null ? "neither" : "both"));
        }
        if (modelFile != null && model.describesModel()) {
            throw new ResNet4jException("--model FILE.onnx already describes the model; drop --arch/--spec/--num-classes/--in-channels");
        }
        Tensor x = Npy.read(input);
        EngineOptions options = new EngineOptions(EngineOptions.Device.parse(device), threads, "all");
        long start = System.nanoTime();
        try (Engine engine = openEngine(options)) {
            long loaded = System.nanoTime();
            Tensor y = engine.run(x);
            long ran = System.nanoTime();
            Npy.write(y, output);
            out().printf(Locale.ROOT, "wrote %s %s (%s: load %.0f ms, run %.1f ms)%n", output, Shapes.format(y.shape()),
                    engine.describe(), (loaded - start) / 1e6, (ran - loaded) / 1e6);
        }
        return 0;
    }

    private Engine openEngine(EngineOptions options) {
        if (modelFile != null) {
            return engine == Engines.Kind.ORT ? new OrtEngine(modelFile, options)
                    : Engines.open(engine, Onnx.read(modelFile), options, modelFile.toString());
        }
        LoadedCheckpoint ckpt = model.loadWeights(commandSpec);
        ModelProto onnx = ResNet4j.buildModel(model.resolveSpec(ckpt), ckpt, ExportOptions.defaults());
        return Engines.open(engine, onnx, options, model.weights.toString());
    }

    private java.io.PrintWriter out() {
        return commandSpec.commandLine().getOut();
    }
}
