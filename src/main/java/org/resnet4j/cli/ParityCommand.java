package org.resnet4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.resnet4j.engine.Comparison;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.engine.jvm.JavaEngine;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.Npy;
import org.resnet4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "parity", mixinStandardHelpOptions = true,
        description = "Run a model with ONNX Runtime and with the pure-Java engine on the same input and report, "
                + "per output, the max absolute and relative error and argmax agreement (and against a reference "
                + "output, e.g. PyTorch's). Exits 1 when an error exceeds --atol + --rtol * max|reference|.")
final class ParityCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Option(names = "--model", required = true, paramLabel = "FILE.onnx", description = "The ONNX model.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Input tensor (.npy).")
    Path input;

    @Option(names = "--reference", paramLabel = "Y.npy",
            description = "Expected first output (e.g. torchvision's logits) to compare both engines with.")
    Path reference;

    @Option(names = "--rtol", defaultValue = "1e-5", paramLabel = "R",
            description = "Relative tolerance, scaled by max|reference| (default ${DEFAULT-VALUE}).")
    double rtol;

    @Option(names = "--atol", defaultValue = "0", paramLabel = "A", description = "Absolute tolerance (default ${DEFAULT-VALUE}).")
    double atol;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "T", description = "Threads per engine (default 0: all cores).")
    int threads;

    @Override
    public Integer call() {
        PrintWriter out = commandSpec.commandLine().getOut();
        // one read of the file: both engines get the bytes that were validated
        Onnx.ValidatedModel m = Onnx.readValidated(model);
        Tensor x = Npy.read(input);
        Tensor expected = reference != null ? Npy.read(reference) : null;
        EngineOptions options = new EngineOptions(EngineOptions.Device.CPU, threads, "all");
        Map<String, Tensor> ort;
        Map<String, Tensor> java;
        try (Engine e = new OrtEngine(m, options)) {
            ort = e.run(Map.of(e.inputNames().get(0), x));
        }
        try (Engine e = JavaEngine.create(m.proto(), options)) {
            java = e.run(Map.of(e.inputNames().get(0), x));
        }
        boolean ok = true;
        out.printf(Locale.ROOT, "%s on %s (pass: max abs <= %.3g + %.3g * max|reference|, all argmax agree)%n",
                model, input, atol, rtol);
        boolean first = true;
        for (String name : ort.keySet()) {
            ok &= report(out, name + ": java vs ort", java.get(name), ort.get(name));
            if (first && expected != null) {
                ok &= report(out, name + ": ort vs reference", ort.get(name), expected);
                ok &= report(out, name + ": java vs reference", java.get(name), expected);
            }
            first = false;
        }
        out.println(ok ? "PASS" : "FAIL");
        return ok ? 0 : Main.EXIT_FAILURE;
    }

    private boolean report(PrintWriter out, String what, Tensor ours, Tensor ref) {
        Comparison c = Comparison.of(what, ours, ref);
        boolean ok = c.within(rtol, atol);
        out.printf(Locale.ROOT, "  %-32s max abs %.3e  rel %.3e  argmax %d/%d  %s%n", what, c.maxAbs(), c.relative(),
                c.argmaxAgree(), c.rows(), ok ? "ok" : "FAIL");
        return ok;
    }
}
