package org.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.resnet4j.Device;
import org.resnet4j.ImageTransform;
import org.resnet4j.ResNet4jException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.engine.Comparison;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.engine.OrtGuard;
import org.resnet4j.engine.jvm.JavaEngine;
import org.resnet4j.graph.QuantizedGraphBuilder;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.tensor.TensorSpec;
import org.resnet4j.vision.Preprocessing;
import org.resnet4j.weights.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "parity",
        mixinStandardHelpOptions = true,
        description = "Run a model with ONNX Runtime and with the pure-Java engine on the same input (and, with "
                + "--torch, the same checkpoint in torchvision) and report, per output, the max absolute and relative "
                + "error and argmax agreement. Flags models where plain ONNX Runtime's optimiser changes the result. "
                + "Exits 1 when an error exceeds --atol + --rtol * max|reference| (a quantized checkpoint: "
                + "--max-steps of its output's quantization step).")
final class ParityCommand implements Callable<Integer> {
    /**
     * A quantized model's argmax is compared only where the reference's top logit leads by more than
     * this many output steps: two engines that each round a step their own way may swap closer ones.
     */
    static final double TIE_STEPS = 4;

    /**
     * Dequantized logits are float32 roundings of {@code (q - zero point) * scale}, so a difference of
     * a whole number of steps reads a hair above it: a thousandth of a step absorbs that.
     */
    static final double STEP_SLACK = 1e-3;

    @Spec
    CommandSpec commandSpec;

    @Mixin
    ModelSource model;

    @Option(
            names = "--input",
            paramLabel = "[NAME=]X.npy",
            description = "Input tensor (.npy): NAME=FILE per model input (repeat), or a bare FILE for a single-input "
                    + "model. Without --input or images: a seeded random normal input (see --seed).")
    List<String> inputs = new ArrayList<>();

    @Parameters(
            paramLabel = "IMAGE",
            arity = "0..*",
            description =
                    "Images to use as the input batch, preprocessed as torchvision's ImageNet transforms (--preset).")
    List<Path> images = new ArrayList<>();

    @Option(
            names = "--preset",
            defaultValue = "v1",
            paramLabel = "v1|v2",
            description = "Preprocessing of IMAGE inputs: v1 resize 256 crop 224 (default), v2 resize 232 crop 224.")
    String preset;

    @Option(
            names = "--seed",
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Seed of the random input (default ${DEFAULT-VALUE}); symbolic dims are 1 for the batch, 224 else.")
    long seed;

    @Option(
            names = "--reference",
            paramLabel = "Y.npy",
            description = "Expected first output (e.g. torchvision's logits) to compare both engines with.")
    Path reference;

    @Option(
            names = "--torch",
            description = "Also run the checkpoint (--weights) in torchvision, in a Python subprocess.")
    boolean torch;

    @Option(
            names = "--python",
            defaultValue = "python3",
            paramLabel = "PATH",
            description = "The Python with torch and torchvision for --torch (default ${DEFAULT-VALUE}).")
    String python;

    @Option(
            names = "--ort-optimization",
            defaultValue = "all",
            paramLabel = "LEVEL",
            description = "ONNX Runtime's optimisation level: none, basic, extended, all (default ${DEFAULT-VALUE}).")
    String ortOptimization;

    @Option(
            names = "--rtol",
            defaultValue = "1e-5",
            paramLabel = "R",
            description = "Relative tolerance, scaled by max|reference| (default ${DEFAULT-VALUE}).")
    double rtol;

    @Option(
            names = "--atol",
            defaultValue = "0",
            paramLabel = "A",
            description = "Absolute tolerance (default ${DEFAULT-VALUE}).")
    double atol;

    @Option(
            names = "--max-steps",
            paramLabel = "S",
            description = "A quantized checkpoint passes when every max absolute error is at most S steps of its "
                    + "output's quantization (fc's scale) and the argmax agrees where the reference leads by more "
                    + "than 4 steps (default 2; --rtol/--atol are for float models).")
    Double maxSteps;

    @Option(
            names = "--threads",
            defaultValue = "0",
            paramLabel = "T",
            description = "Threads per engine (default 0: all cores).")
    int threads;

    @Option(names = "--json", description = "Print a JSON object instead of the table.")
    boolean json;

    /** One line of the report. {@code verdict}: counts toward PASS/FAIL; else a flag (plain ORT). */
    private record Row(String output, String pair, Comparison c, boolean verdict) {}

    /**
     * What every comparison must meet: {@code max abs <= atol + rtol * max|reference|} and the argmax of
     * each row whose reference leads by more than {@code minLead} (every row when negative). A quantized
     * model's bar is in steps of its output ({@code step}, NaN for a float model).
     */
    private record Bar(double rtol, double atol, double minLead, double step, double maxSteps) {
        static Bar of(double rtol, double atol) {
            return new Bar(rtol, atol, -1, Double.NaN, Double.NaN);
        }

        static Bar steps(double step, double maxSteps) {
            return new Bar(0, (maxSteps + STEP_SLACK) * step, TIE_STEPS * step, step, maxSteps);
        }

        boolean quantized() {
            return !Double.isNaN(step);
        }

        boolean met(Comparison c) {
            return c.within(rtol, atol);
        }
    }

    @Override
    public Integer call() {
        if (torch && model.checkpoint.weights == null) {
            throw new ResNet4jException("--torch runs a checkpoint in torchvision: give it with --weights FILE "
                    + "(an ONNX --model has no PyTorch form)");
        }
        if (!inputs.isEmpty() && !images.isEmpty()) {
            throw new ResNet4jException("give the input either with --input or as images, not both");
        }
        ModelSource.Model m = model.load(commandSpec);
        Bar bar = bar(m);
        EngineOptions options = new EngineOptions(Device.CPU, threads, ortOptimization);
        Map<String, Tensor> ort;
        Map<String, Tensor> raw = null;
        Map<String, Tensor> java;
        Map<String, Tensor> feeds;
        String inputLabel;
        List<String> guarded;
        String ortName;
        String javaName;
        try (OrtEngine e = new OrtEngine(m.onnx(), options, m.name())) {
            feeds = feeds(e.inputs());
            inputLabel = inputLabel(feeds);
            ort = e.run(feeds);
            guarded = e.guardedPads();
            ortName = e.describe();
        }
        if (!guarded.isEmpty()) {
            try (OrtEngine e = new OrtEngine(m.onnx(), options.withOrtGuard(false), m.name())) {
                raw = e.run(feeds);
            }
        }
        try (Engine e = JavaEngine.create(m.onnx(), options)) {
            java = e.run(feeds);
            javaName = e.describe();
        }
        Tensor expected = reference != null ? Npy.read(reference) : null;
        TorchReference.Result torchResult = null;
        if (torch) {
            Tensor x = feeds.values().iterator().next();
            torchResult = TorchReference.run(python, m.spec(), m.checkpoint(), x);
        }

        List<Row> rows = new ArrayList<>();
        boolean first = true;
        for (String name : ort.keySet()) {
            rows.add(row(bar, name, "java vs ort", java.get(name), ort.get(name), true));
            if (first && torchResult != null) {
                rows.add(row(bar, name, "ort vs torch", ort.get(name), torchResult.output(), true));
                rows.add(row(bar, name, "java vs torch", java.get(name), torchResult.output(), true));
            }
            if (first && expected != null) {
                rows.add(row(bar, name, "ort vs reference", ort.get(name), expected, true));
                rows.add(row(bar, name, "java vs reference", java.get(name), expected, true));
            }
            if (raw != null) {
                rows.add(row(bar, name, "plain-ort vs java", raw.get(name), java.get(name), false));
                if (first && torchResult != null) {
                    rows.add(row(bar, name, "plain-ort vs torch", raw.get(name), torchResult.output(), false));
                }
            }
            first = false;
        }
        boolean ok = rows.stream().filter(Row::verdict).allMatch(r -> bar.met(r.c()));
        boolean flagged = rows.stream().anyMatch(r -> !r.verdict() && !bar.met(r.c()));
        PrintWriter out = commandSpec.commandLine().getOut();
        Map<String, String> engines = new LinkedHashMap<>();
        engines.put("ort", ortName);
        engines.put("java", javaName);
        if (torchResult != null) {
            engines.put("torch", torchResult.versions());
        }
        if (json) {
            printJson(out, m.name(), inputLabel, engines, bar, rows, guarded, flagged, ok);
        } else {
            printTable(out, m.name(), inputLabel, engines, bar, rows, guarded, flagged, ok);
        }
        return ok ? 0 : Main.EXIT_FAILURE;
    }

    /**
     * The float tolerances, or for a quantized checkpoint --max-steps of its output step; each option
     * only where it means something, so that a tolerance given for the other kind is not silently ignored.
     */
    private Bar bar(ModelSource.Model m) {
        boolean quantized = m.checkpoint() != null && m.checkpoint().quantized();
        if (!quantized) {
            if (maxSteps != null) {
                throw new ResNet4jException("--max-steps is for quantized checkpoints, whose outputs come in steps of "
                        + "fc's scale; " + m.name() + " is a float model: give its tolerance with --rtol/--atol");
            }
            return Bar.of(rtol, atol);
        }
        double step = QuantizedGraphBuilder.outputStep(m.checkpoint().tensors());
        for (String floatOption : List.of("--rtol", "--atol")) {
            if (commandSpec.commandLine().getParseResult().hasMatchedOption(floatOption)) {
                throw new ResNet4jException(floatOption + " is for float models; " + m.name() + " is quantized ("
                        + m.checkpoint().quantization() + "), so its outputs are compared in steps of fc's scale "
                        + String.format(Locale.ROOT, "%.4g", step) + ": give the tolerance with --max-steps S");
            }
        }
        double s = maxSteps != null ? maxSteps : 2;
        if (!(s >= 0)) {
            throw new ResNet4jException("--max-steps: " + maxSteps + "; expected a number of steps >= 0");
        }
        return Bar.steps(step, s);
    }

    private Row row(Bar bar, String output, String pair, Tensor ours, Tensor ref, boolean verdict) {
        return new Row(output, pair, Comparison.of(output + ": " + pair, ours, ref, bar.minLead()), verdict);
    }

    /** The input tensors: --input files, the images, or a seeded random normal tensor per (float) input. */
    private Map<String, Tensor> feeds(List<TensorSpec> specs) {
        if (!inputs.isEmpty()) {
            return NamedFiles.readInputs(NamedFiles.parse(inputs), specs);
        }
        TensorSpec only = specs.size() == 1 ? specs.get(0) : null;
        if (!images.isEmpty()) {
            if (only == null) {
                throw new ResNet4jException("images are one input, the model has " + specs.size() + " (model inputs: "
                        + TensorSpec.describe(specs) + "); give each with --input NAME=FILE.npy");
            }
            Preprocessing pre;
            try {
                ImageTransform t = ImageTransform.preset(preset);
                pre = new Preprocessing(t.resizeSize(), t.cropSize(), t.mean(), t.std());
            } catch (IllegalArgumentException e) {
                throw new ResNet4jException(e.getMessage());
            }
            return Map.of(
                    only.name(),
                    Preprocessing.batch(images.stream().map(pre::apply).toList()));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        Random rng = new Random(seed);
        for (TensorSpec s : specs) {
            if (s.dtype() != DType.FLOAT32 || s.shape() == null) {
                throw new ResNet4jException(
                        "input '" + s.name() + "' is " + s.typeName() + " " + TensorSpec.formatShape(s.shape())
                                + ": a random input is made only for float32 inputs of declared rank; give it with --input "
                                + s.name() + "=FILE.npy");
            }
            long[] d = s.shape();
            int[] shape = new int[d.length];
            for (int i = 0; i < d.length; i++) {
                shape[i] = d[i] >= 0 ? (int) d[i] : i == 0 ? 1 : 224;
            }
            float[] v = new float[Shapes.numel(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rng.nextGaussian();
            }
            out.put(s.name(), Tensor.of(shape, v));
        }
        return out;
    }

    private String inputLabel(Map<String, Tensor> feeds) {
        String shapes = feeds.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().dtype() + " "
                        + Shapes.format(e.getValue().shape()))
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
        if (!inputs.isEmpty()) {
            return String.join(" ", inputs) + " (" + shapes + ")";
        }
        if (!images.isEmpty()) {
            return images.size() + " image" + (images.size() == 1 ? "" : "s") + ", preset " + preset + " (" + shapes
                    + ")";
        }
        return "random normal, seed " + seed + " (" + shapes + ")";
    }

    private void printTable(
            PrintWriter out,
            String name,
            String inputLabel,
            Map<String, String> engines,
            Bar bar,
            List<Row> rows,
            List<String> guarded,
            boolean flagged,
            boolean ok) {
        Lines.printf(out, "%s on %s%n", name, inputLabel);
        engines.forEach((k, v) -> Lines.printf(out, "  %-5s %s%n", k, v));
        if (bar.quantized()) {
            out.printf(
                    Locale.ROOT,
                    "pass: max abs <= %.3g steps of the output's quantization (fc scale %.4g), argmax agrees where "
                            + "the reference leads by > %.0f steps%n",
                    bar.maxSteps(),
                    bar.step(),
                    TIE_STEPS);
        } else {
            out.printf(Locale.ROOT, "pass: max abs <= %.3g + %.3g * max|reference|, all argmax agree%n", atol, rtol);
        }
        for (Row r : rows) {
            out.printf(
                    Locale.ROOT,
                    "  %-30s %s%s  %s%n",
                    r.output() + ": " + r.pair(),
                    r.c().describe(),
                    bar.quantized() ? String.format(Locale.ROOT, "  steps %.2f", r.c().maxAbs() / bar.step()) : "",
                    bar.met(r.c()) ? "ok" : r.verdict() ? "FAIL" : "FLAG");
        }
        if (!guarded.isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "%s ONNX Runtime's %s rule would fold %s into the pool's own padding, which MaxPool "
                            + "fills with -inf and AveragePool leaves out of its count; resnet4j's ORT session disables that rule "
                            + "for this model%s%n",
                    flagged ? "FLAG:" : "note:",
                    OrtGuard.PAD_FUSION_RULE,
                    String.join(", ", guarded),
                    flagged ? "; plain ONNX Runtime (the plain-ort rows) gets it wrong" : "");
        }
        out.println(ok ? "PASS" : "FAIL");
    }

    private void printJson(
            PrintWriter out,
            String name,
            String inputLabel,
            Map<String, String> engines,
            Bar bar,
            List<Row> rows,
            List<String> guarded,
            boolean flagged,
            boolean ok) {
        ObjectMapper mapper = Lines.JSON;
        ObjectNode root = mapper.createObjectNode();
        root.put("model", name);
        root.put("input", inputLabel);
        root.set("engines", mapper.valueToTree(engines));
        ObjectNode tolerance =
                root.putObject("tolerance").put("rtol", bar.rtol()).put("atol", bar.atol());
        if (bar.quantized()) {
            tolerance.put("step", bar.step()).put("max_steps", bar.maxSteps()).put("tie_steps", TIE_STEPS);
        }
        ArrayNode list = root.putArray("comparisons");
        for (Row r : rows) {
            ObjectNode o = list.addObject();
            o.put("output", r.output());
            o.put("pair", r.pair());
            o.put("max_abs", r.c().maxAbs());
            o.put("max_ref", r.c().maxRef());
            o.put("relative", r.c().relative());
            o.put("argmax_agree", r.c().argmaxAgree());
            o.put("rows", r.c().rows());
            o.put("tied", r.c().tied());
            if (bar.quantized()) {
                o.put("steps", r.c().maxAbs() / bar.step());
            }
            o.put("within", bar.met(r.c()));
            o.put("counts_toward_pass", r.verdict());
        }
        ObjectNode g = root.putObject("ort_guard");
        g.put("rule_disabled", guarded.isEmpty() ? null : OrtGuard.PAD_FUSION_RULE);
        g.set("pads", mapper.valueToTree(guarded));
        g.put("plain_ort_flagged", flagged);
        root.put("pass", ok);
        out.println(Lines.json(root));
    }
}
