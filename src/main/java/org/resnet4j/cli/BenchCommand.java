package org.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.resnet4j.ResNet4jException;
import org.resnet4j.engine.Benchmark;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.Engines;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.spec.Flops;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.spec.SpecJson;
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

    @Option(names = "--json", description = "Print a JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || size < 1 || iters < 1 || warmup < 0) {
            throw new ResNet4jException("--batch, --size and --iters must be at least 1 and --warmup at least 0");
        }
        ModelProto model;
        String name;
        if (source.arch != null) {
            ResNetGraph g = GraphBuilder.build(Presets.get(source.arch), false);
            model = ModelAssembler.assemble(g, RandomInit.weights(g, 42), Onnx.DEFAULT_OPSET, "random weights");
            name = source.arch;
        } else {
            model = Onnx.read(source.model);
            name = source.model.toString();
        }
        String specJson = Onnx.metadata(model, ModelAssembler.META_SPEC);
        ResNetSpec spec = specJson != null ? SpecJson.parse(specJson, name) : null;
        int channels = spec != null ? spec.inChannels() : 3;
        Tensor x = RandomInit.normal(7, batch, channels, size, size);
        Benchmark.Result r;
        String description;
        try (Engine e = Engines.open(engine.kind(), model, engine.options(), name)) {
            description = e.describe();
            r = Benchmark.run(e, x, warmup, iters);
        }
        double imagesPerS = batch / (r.median() / 1e3);
        Double gflops = spec != null ? Flops.flops(spec, batch, size, size) / (r.median() / 1e3) / 1e9 : null;
        int usedThreads =
                engine.threads > 0 ? engine.threads : Runtime.getRuntime().availableProcessors();
        var out = commandSpec.commandLine().getOut();
        if (json) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("engine", engine.kind().label());
            o.put("engine_detail", description);
            if (engine.kind() == Engines.Kind.JAVA) {
                o.put("kernel_path", org.resnet4j.engine.jvm.JavaEngine.kernelPath());
            }
            o.put("model", name);
            o.put("batch", batch);
            o.put("size", size);
            o.put("threads", usedThreads);
            o.put("warmup", warmup);
            o.put("iters", iters);
            o.put("min_ms", r.min());
            o.put("median_ms", r.median());
            o.put("max_ms", r.max());
            o.put("images_per_s", imagesPerS);
            if (gflops != null) {
                o.put("gflops", gflops);
            } else {
                o.putNull("gflops");
            }
            out.println(o.toString());
        } else {
            out.printf(
                    Locale.ROOT,
                    "%s, batch %d, %dx%d, %d threads: %s%n",
                    name,
                    batch,
                    size,
                    size,
                    usedThreads,
                    description);
            if (engine.kind() == Engines.Kind.JAVA) {
                out.printf(Locale.ROOT, "  kernels: %s%n", org.resnet4j.engine.jvm.JavaEngine.kernelPath());
            }
            out.printf(
                    Locale.ROOT,
                    "  %d runs after %d warm-up: min %.1f ms, median %.1f ms, max %.1f ms%n",
                    iters,
                    warmup,
                    r.min(),
                    r.median(),
                    r.max());
            out.printf(
                    Locale.ROOT,
                    "  %.1f images/s, %.2f ms/image%s%n",
                    imagesPerS,
                    r.median() / batch,
                    gflops != null
                            ? String.format(Locale.ROOT, ", %.1f GFLOP/s", gflops)
                            : " (GFLOP/s unknown: no resnet4j spec in the model)");
        }
        return 0;
    }
}
