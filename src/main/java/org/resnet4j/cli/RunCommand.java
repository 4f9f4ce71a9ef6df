package org.resnet4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.resnet4j.ResNet4j;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.Engines;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.tensor.Npy;
import org.resnet4j.tensor.Shapes;
import org.resnet4j.tensor.Tensor;
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

    @Mixin
    ModelChoice model;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Input tensor, float32/float64/float16 .npy in C order.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "Y.npy", description = "Output file for the first model output, float32 .npy (written atomically).")
    Path output;

    @Mixin
    EngineChoice engine;

    @Override
    public Integer call() throws Exception {
        model.check();
        Tensor x = Npy.read(input);
        long start = System.nanoTime();
        try (Engine e = openEngine()) {
            long loaded = System.nanoTime();
            Tensor y = e.run(x);
            long ran = System.nanoTime();
            Npy.write(y, output);
            out().printf(Locale.ROOT, "wrote %s %s (%s: load %.0f ms, run %.1f ms)%n", output, Shapes.format(y.shape()),
                    e.describe(), (loaded - start) / 1e6, (ran - loaded) / 1e6);
        }
        return 0;
    }

    private Engine openEngine() {
        if (model.modelFile != null && engine.kind() == Engines.Kind.ORT) {
            // read once and validated; ORT parses those bytes (no second proto copy of the weights)
            return new OrtEngine(model.modelFile, engine.options());
        }
        ModelChoice.Model m = model.load(commandSpec);
        return Engines.open(engine.kind(), m.onnx(), engine.options(), m.name());
    }

    private java.io.PrintWriter out() {
        return commandSpec.commandLine().getOut();
    }
}
