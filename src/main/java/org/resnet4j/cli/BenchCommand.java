package org.resnet4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.resnet4j.EngineType;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNetModel;
import org.resnet4j.engine.Benchmark;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.spec.Flops;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.Tensor;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Time inference: warm-up runs, then timed runs; prints min/median/max ms, images/s and GFLOP/s.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    static final class Source {
        @Option(names = "--model", paramLabel = "FILE.onnx", description = "An ONNX model.")
        Path model;

        @Option(names = "--arch", paramLabel = "NAME", description = "A torchvision preset with seeded random weights.")
        String arch;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Mixin
    EngineChoice engine;

    @Option(
            names = "--batch",
            defaultValue = "1",
            paramLabel = "N",
            description = "Images per run (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--size",
            defaultValue = "224",
            paramLabel = "PX",
            description = "Input height and width (default ${DEFAULT-VALUE}).")
    int size;

    @Option(
            names = "--warmup",
            defaultValue = "3",
            paramLabel = "W",
            description = "Untimed runs first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--iters",
            defaultValue = "10",
            paramLabel = "I",
            description = "Timed runs (default ${DEFAULT-VALUE}).")
    int iters;

    @Option(
            names = "--against",
            paramLabel = "ort|java",
            description = "Also time this engine, alternating with --engine round by round (same device),"
                    + " and print the per-round ratio --engine/--against.")
    String against;

    @Option(
            names = "--against-threads",
            paramLabel = "T",
            description = "Threads of the --against engine (default: --threads). With --against naming the same"
                    + " engine, the ratio is what the extra threads buy.")
    Integer againstThreads;

    @Option(
            names = "--against-model",
            paramLabel = "FILE.onnx",
            description = "Time this model too, alternating round by round, on the --against engine (default:"
                    + " --engine) with the same input: e.g. an int8 model against its float one.")
    Path againstModel;

    @Option(names = "--json", description = "Print a JSON object.")
    boolean json;

    /** The model on one engine, through the library's door: a file, or the random-weights preset's bytes. */
    private ResNetModel open(byte[] bytes, Path file, String name, EngineType kind, int threads) {
        ResNetModel.Builder b = bytes != null
                ? ResNetModel.builder().onnx(bytes, name)
                : ResNetModel.builder().onnx(file);
        try {
            return b.engine(kind)
                    .device(engine.options().device())
                    .threads(threads)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ResNet4jException(e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || size < 1 || iters < 1 || warmup < 0) {
            throw new ResNet4jException("--batch, --size and --iters must be at least 1 and --warmup at least 0");
        }
        // the options first: building or reading the model takes seconds for a large one
        EngineType other =
                against != null ? EngineChoice.kind("--against", against) : againstModel != null ? engine.kind() : null;
        if (againstThreads != null && (other == null || againstThreads < 0)) {
            throw new ResNet4jException(
                    other == null
                            ? "--against-threads needs --against"
                            : "--against-threads must be 0 (all cores) or more, got " + againstThreads);
        }
        int otherThreads = againstThreads != null ? againstThreads : engine.threads;
        if (againstModel == null && other == engine.kind() && resolved(otherThreads) == resolved(engine.threads)) {
            throw new ResNet4jException("--against " + against + " with " + resolved(otherThreads)
                    + " threads is what --engine already times; give --against-threads another count");
        }
        // the model bytes once: each engine's ResNetModel parses them (a random-weights preset is built here)
        byte[] bytes = null;
        String name;
        if (source.arch != null) {
            ResNetGraph g = GraphBuilder.build(Presets.get(source.arch), false);
            bytes = ModelAssembler.assemble(g, RandomInit.weights(g, 42), Onnx.DEFAULT_OPSET, "random weights")
                    .toByteArray();
            name = source.arch;
        } else {
            name = source.model.toString();
        }
        Benchmark.Result r;
        Benchmark.Paired paired = null;
        String description;
        String otherDescription = null;
        ResNetSpec spec;
        try (ResNetModel m = open(bytes, source.model, name, engine.kind(), engine.threads)) {
            description = m.describe();
            spec = m.spec().orElse(null);
            Tensor x = RandomInit.normal(7, batch, m.inputChannels() > 0 ? m.inputChannels() : 3, size, size);
            if (other == null) {
                r = Benchmark.run(m::logits, x, warmup, iters);
            } else {
                try (ResNetModel o = againstModel != null
                        ? open(null, againstModel, againstModel.toString(), other, otherThreads)
                        : open(bytes, source.model, name, other, otherThreads)) {
                    otherDescription = o.describe();
                    paired = Benchmark.runPaired(m::logits, o::logits, x, warmup, iters);
                }
                r = paired.first();
            }
        }
        Double flops = spec != null ? Flops.flops(spec, batch, size, size) : null;
        int usedThreads = resolved(engine.threads);
        var out = commandSpec.commandLine().getOut();
        if (json) {
            ObjectNode o = Lines.JSON.createObjectNode();
            o.put("engine", engine.kind().label());
            o.put("engine_detail", description);
            if (engine.kind() == EngineType.JAVA) {
                o.put("kernel_path", org.resnet4j.engine.jvm.JavaEngine.kernelPath());
                o.put("vector_bits", org.resnet4j.engine.jvm.JavaEngine.vectorBits());
            }
            o.put("model", name);
            o.put("batch", batch);
            o.put("size", size);
            o.put("threads", usedThreads);
            o.put("warmup", warmup);
            o.put("iters", iters);
            putTimes(o, r, flops);
            if (paired != null) {
                ObjectNode a = o.putObject("against");
                a.put("engine", other.label());
                if (againstModel != null) {
                    a.put("model", againstModel.toString());
                }
                a.put("threads", resolved(otherThreads));
                a.put("engine_detail", otherDescription);
                putTimes(a, paired.second(), flops);
                o.put("ratio_median", paired.ratioMedian());
                o.put("ratio_min", paired.ratioMin());
                o.put("ratio_max", paired.ratioMax());
                o.put("ratio_best", paired.bestRatio());
            }
            out.println(Lines.json(o));
        } else {
            out.printf(Locale.ROOT, "batch %d, %dx%d, %d threads: %s%n", batch, size, size, usedThreads, description);
            if (engine.kind() == EngineType.JAVA) {
                out.printf(Locale.ROOT, "  kernels: %s%n", org.resnet4j.engine.jvm.JavaEngine.kernelPath());
            }
            if (paired == null) {
                out.printf(Locale.ROOT, "  %d runs after %d warm-up: %s%n", iters, warmup, timesLine(r, flops));
            } else {
                out.printf(Locale.ROOT, "  against: %s%n", otherDescription);
                out.printf(
                        Locale.ROOT,
                        "  %d rounds after %d warm-up, each engine settling untimed, then one timed run:%n",
                        iters,
                        warmup);
                String mine = engine.kind().label();
                String theirs = other.label();
                if (againstModel != null) {
                    mine = fileName(name);
                    theirs = fileName(againstModel.toString());
                } else if (other == engine.kind()) {
                    mine += "@" + usedThreads;
                    theirs += "@" + resolved(otherThreads);
                }
                int width = Math.max(mine.length(), theirs.length());
                out.printf(Locale.ROOT, "  %-" + width + "s %s%n", mine, timesLine(r, flops));
                out.printf(Locale.ROOT, "  %-" + width + "s %s%n", theirs, timesLine(paired.second(), flops));
                out.printf(
                        Locale.ROOT,
                        "  %s/%s per round: median %.2f (%.2f-%.2f); fastest runs %.2f%n",
                        mine,
                        theirs,
                        paired.ratioMedian(),
                        paired.ratioMin(),
                        paired.ratioMax(),
                        paired.bestRatio());
            }
        }
        return 0;
    }

    private static String fileName(String model) {
        return Path.of(model).getFileName().toString();
    }

    // threads as the engines read them: 0 is every core
    private static int resolved(int threads) {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    private double imagesPerSecond(Benchmark.Result r) {
        return batch / (r.median() / 1e3);
    }

    private static double gflops(Benchmark.Result r, double flops) {
        return flops / (r.median() / 1e3) / 1e9;
    }

    private void putTimes(ObjectNode o, Benchmark.Result r, Double flops) {
        o.put("min_ms", r.min());
        o.put("median_ms", r.median());
        o.put("max_ms", r.max());
        o.put("images_per_s", imagesPerSecond(r));
        if (flops != null) {
            o.put("gflops", gflops(r, flops));
        } else {
            o.putNull("gflops");
        }
    }

    private String timesLine(Benchmark.Result r, Double flops) {
        return String.format(
                Locale.ROOT,
                "min %.1f ms, median %.1f ms, max %.1f ms; %.1f images/s, %.2f ms/image%s",
                r.min(),
                r.median(),
                r.max(),
                imagesPerSecond(r),
                r.median() / batch,
                flops != null
                        ? String.format(Locale.ROOT, ", %.1f GFLOP/s", gflops(r, flops))
                        : " (GFLOP/s unknown: no resnet4j spec in the model)");
    }
}
