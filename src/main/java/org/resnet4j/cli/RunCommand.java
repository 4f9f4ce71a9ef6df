package org.resnet4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.resnet4j.EngineType;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.Engines;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.files.AtomicOutput;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run a model on input tensors (.npy) and write its outputs (.npy). Any tensor type in and out: "
                + "float32, float16, int64, int32, uint8, bool (float64 files are read as float32).")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Mixin
    ModelSource model;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "[NAME=]X.npy",
            description = "An input tensor (.npy, C order): NAME=FILE per model input (repeat), or a bare FILE "
                    + "for a single-input model.")
    List<String> inputs;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "[NAME=]Y.npy",
            description = "Where to write an output (.npy, written atomically): a bare FILE for the first output, "
                    + "NAME=FILE per output (repeat).")
    List<String> outputs;

    @Mixin
    EngineChoice engine;

    @Override
    public Integer call() throws Exception {
        model.check();
        List<NamedFiles.Arg> in = NamedFiles.parse(inputs);
        List<NamedFiles.Arg> out = NamedFiles.parse(outputs);
        long start = System.nanoTime();
        try (Engine e = openEngine()) {
            long loaded = System.nanoTime();
            Map<String, Path> targets = NamedFiles.bindOutputs(out, e);
            Map<String, Tensor> feeds = NamedFiles.readInputs(in, e.inputs());
            Map<String, Tensor> results = e.run(feeds);
            long ran = System.nanoTime();
            // every output written before any is moved into place: a failure leaves none behind
            try (AtomicOutput.Batch batch = new AtomicOutput.Batch()) {
                for (Map.Entry<String, Path> t : targets.entrySet()) {
                    Tensor y = results.get(t.getKey());
                    batch.write(t.getValue(), o -> Npy.write(y, o));
                }
                batch.commit();
            }
            for (Map.Entry<String, Path> t : targets.entrySet()) {
                Tensor y = results.get(t.getKey());
                Lines.printf(
                        out(),
                        "wrote %s %s %s (output '%s')%n",
                        t.getValue(),
                        y.dtype(),
                        Shapes.format(y.shape()),
                        t.getKey());
            }
            Lines.printf(
                    out(),
                    "%s: load %.0f ms, run %.1f ms%n",
                    e.describe(),
                    (loaded - start) / 1e6,
                    (ran - loaded) / 1e6);
        }
        return 0;
    }

    private Engine openEngine() {
        if (model.modelFile != null && engine.kind() == EngineType.ONNX_RUNTIME) {
            // read once and validated; ORT parses those bytes (no second proto copy of the weights)
            return new OrtEngine(model.modelFile, engine.options());
        }
        ModelSource.Model m = model.load(commandSpec);
        return Engines.open(engine.kind(), m.onnx(), engine.options(), m.name());
    }

    private java.io.PrintWriter out() {
        return commandSpec.commandLine().getOut();
    }
}
