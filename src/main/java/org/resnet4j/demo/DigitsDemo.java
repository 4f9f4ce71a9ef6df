package org.resnet4j.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.resnet4j.Architecture;
import org.resnet4j.EngineType;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNetModel;
import org.resnet4j.engine.Benchmark;
import org.resnet4j.engine.Comparison;
import org.resnet4j.files.Folders;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.Npy;

/**
 * The out-of-the-box demo: a small CIFAR-style ResNet trained by {@code tools/train_digits.py} on
 * scikit-learn's 8x8 digits, shipped inside the jar (the build packs {@code testdata/digits/} as the
 * classpath folder {@value #RESOURCES}). {@link #run} opens its {@code model.pth} with its
 * {@code spec.json} through {@link ResNetModel}, as an application does, classifies the held-out
 * images (already 8x8 tensors) on each engine, and compares accuracy and logits with what PyTorch
 * recorded at training.
 */
public final class DigitsDemo {
    /** Classpath folder of the demo files. */
    public static final String RESOURCES = "/org/resnet4j/demo/";
    /** The files the demo reads (all written by tools/train_digits.py). */
    public static final List<String> FILES =
            List.of("model.pth", "spec.json", "meta.json", "test_images.npy", "test_labels.npy", "test_logits.npy");

    private DigitsDemo() {}

    /** Timed runs after the first, each after as many untimed ones: the steady time is their median. */
    public static final int STEADY_RUNS = 10;

    /**
     * One engine's pass over the held-out set.
     *
     * @param loadMillis      building the model: reading the checkpoint, building its ONNX graph, opening the
     *                        engine (ONNX Runtime's session, the Java engine's plan)
     * @param firstRunMillis  the first run after loading: cold, before the JIT has compiled the Java engine
     * @param steadyRunMillis the median of {@link #STEADY_RUNS} timed runs after as many untimed ones
     */
    public record EngineRun(
            EngineType kind,
            String description,
            Tensor logits,
            int[] predictions,
            int correct,
            double loadMillis,
            double firstRunMillis,
            double steadyRunMillis) {
        public double accuracy() {
            return (double) correct / predictions.length;
        }
    }

    /**
     * Everything the demo measured.
     *
     * @param images          held-out images [N, 1, 8, 8] (pixel / 16)
     * @param labels          their true classes
     * @param torchLogits     PyTorch's logits at training time [N, 10]
     * @param torchCorrect    PyTorch's correct count, as recorded in meta.json
     * @param torchVersion    the torch that trained the model
     * @param runs            one per engine, in the order asked
     */
    public record Report(
            Tensor images,
            int[] labels,
            Tensor torchLogits,
            int torchCorrect,
            String torchVersion,
            ResNetSpec spec,
            List<EngineRun> runs) {
        public int size() {
            return labels.length;
        }

        public double torchAccuracy() {
            return (double) torchCorrect / labels.length;
        }

        /** PyTorch's predictions, from its recorded logits. */
        public int[] torchPredictions() {
            return argmax(torchLogits);
        }
    }

    /** The engines the demo uses by default: ONNX Runtime and the Java engine. */
    public static List<EngineType> defaultEngines() {
        return List.of(EngineType.ONNX_RUNTIME, EngineType.JAVA);
    }

    /** Runs the demo on the given engines with {@code threads} intra-op threads (0: all cores). */
    public static Report run(List<EngineType> engines, int threads) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("resnet4j-demo-");
            for (String f : FILES) {
                try (InputStream in = DigitsDemo.class.getResourceAsStream(RESOURCES + f)) {
                    if (in == null) {
                        throw new ResNet4jException.FileAccessException(
                                "the demo file " + RESOURCES + f + " is missing from the classpath "
                                        + "(the build packs testdata/digits/ into the jar; rebuild with mvn package)");
                    }
                    Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return run(dir, engines, threads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the demo files: " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                Folders.deleteTree(dir);
            }
        }
    }

    /** Runs the demo on the files in {@code dir} (the layout of testdata/digits). */
    public static Report run(Path dir, List<EngineType> engines, int threads) throws IOException {
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("meta.json").toFile());
        Tensor images = Npy.read(dir.resolve("test_images.npy"));
        Tensor torchLogits = Npy.read(dir.resolve("test_logits.npy"));
        float[] labelData = Npy.read(dir.resolve("test_labels.npy")).toArray();
        int[] labels = new int[labelData.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = Math.round(labelData[i]);
        }

        ResNetSpec spec = SpecJson.read(dir.resolve("spec.json"));
        List<EngineRun> runs = new ArrayList<>();
        for (EngineType kind : engines) {
            long a = System.nanoTime();
            try (ResNetModel model = ResNetModel.builder()
                    .weights(dir.resolve("model.pth"))
                    .architecture(Architecture.spec(spec))
                    .engine(kind)
                    .threads(threads)
                    .build()) {
                long b = System.nanoTime();
                Tensor logits = model.logits(images);
                long c = System.nanoTime();
                double steady = Benchmark.run(model::logits, images, STEADY_RUNS, STEADY_RUNS)
                        .median();
                int[] pred = argmax(logits);
                int correct = 0;
                for (int i = 0; i < pred.length; i++) {
                    correct += pred[i] == labels[i] ? 1 : 0;
                }
                runs.add(new EngineRun(
                        kind, model.describe(), logits, pred, correct, (b - a) / 1e6, (c - b) / 1e6, steady));
            }
        }
        return new Report(
                images,
                labels,
                torchLogits,
                meta.path("test_correct").asInt(-1),
                meta.path("torch").asText("?"),
                spec,
                List.copyOf(runs));
    }

    /** Per-row argmax of a [N, C] tensor (first maximum on ties, as torch.argmax). */
    public static int[] argmax(Tensor logits) {
        int rows = logits.dim(0);
        int cols = logits.dim(1);
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < cols; c++) {
                if (logits.get(r * cols + c) > logits.get(r * cols + best)) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }

    /** Shading from blank to full ink, for pixel values 0..1. */
    static final String SHADES = " .:-=+*#%@";

    /** An 8x8 image of {@code images} [N, 1, 8, 8] as 8 lines of 16 characters (each pixel twice, for the aspect). */
    public static List<String> ascii(Tensor images, int index) {
        int h = images.dim(2);
        int w = images.dim(3);
        int base = index * h * w;
        List<String> lines = new ArrayList<>(h);
        for (int y = 0; y < h; y++) {
            StringBuilder sb = new StringBuilder(2 * w);
            for (int x = 0; x < w; x++) {
                float v = Math.max(0f, Math.min(1f, images.get(base + y * w + x)));
                char ch = SHADES.charAt(Math.min(SHADES.length() - 1, (int) (v * SHADES.length())));
                sb.append(ch).append(ch);
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    /** The samples drawn: the first few held-out images, and the first misclassified ones if any. */
    static List<Integer> samples(Report r, int count) {
        List<Integer> out = new ArrayList<>();
        int[] pred = r.runs().isEmpty() ? r.torchPredictions() : r.runs().get(0).predictions();
        int wrongShown = 0;
        for (int i = 0; i < pred.length && wrongShown < 2; i++) {
            if (pred[i] != r.labels()[i]) {
                out.add(i);
                wrongShown++;
            }
        }
        for (int i = 0; i < pred.length && out.size() < count; i++) {
            if (!out.contains(i)) {
                out.add(i);
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** Prints the report: accuracy against PyTorch's, engine agreement, sample digits, timings. */
    public static void print(Report r, PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "resnet4j demo: a %d-stage %s ResNet (widths %s, %d-channel %dx%d input, %d classes) trained on "
                        + "scikit-learn's 8x8 digits,%n",
                r.spec().stages(),
                r.spec().block().name().toLowerCase(Locale.ROOT),
                r.spec().widths(),
                r.spec().inChannels(),
                r.images().dim(2),
                r.images().dim(3),
                r.spec().numClasses());
        out.printf(
                Locale.ROOT, "loaded from its torch.save checkpoint with ResNetModel, as any application would.%n%n");

        out.printf(Locale.ROOT, "Held-out accuracy (%d images):%n", r.size());
        out.printf(
                Locale.ROOT,
                "  %-28s %4d/%d = %6.2f%%%n",
                "PyTorch " + r.torchVersion() + " (recorded)",
                r.torchCorrect(),
                r.size(),
                100 * r.torchAccuracy());
        for (EngineRun run : r.runs()) {
            out.printf(
                    Locale.ROOT,
                    "  %-28s %4d/%d = %6.2f%%  %s%n",
                    engineName(run.kind()),
                    run.correct(),
                    r.size(),
                    100 * run.accuracy(),
                    run.correct() == r.torchCorrect() ? "(equals PyTorch)" : "(DIFFERS from PyTorch)");
        }

        out.printf(
                Locale.ROOT,
                "%nAgreement (argmax equal; max |logit difference|; relative = max diff / max |PyTorch logit|):%n");
        int[] torchPred = r.torchPredictions();
        for (EngineRun run : r.runs()) {
            Comparison c = Comparison.of(engineName(run.kind()) + " vs PyTorch", run.logits(), r.torchLogits());
            out.printf(
                    Locale.ROOT,
                    "  %-30s %4d/%d  max diff %.2e  relative %.2e%n",
                    engineName(run.kind()) + " vs PyTorch",
                    agree(run.predictions(), torchPred),
                    r.size(),
                    c.maxAbs(),
                    c.relative());
        }
        for (int i = 0; i < r.runs().size(); i++) {
            for (int j = i + 1; j < r.runs().size(); j++) {
                EngineRun a = r.runs().get(i);
                EngineRun b = r.runs().get(j);
                out.printf(
                        Locale.ROOT,
                        "  %-30s %4d/%d  max diff %.2e%n",
                        engineName(a.kind()) + " vs " + engineName(b.kind()),
                        agree(a.predictions(), b.predictions()),
                        r.size(),
                        Comparison.of("engines", a.logits(), b.logits()).maxAbs());
            }
        }

        List<Integer> shown = samples(r, 5);
        int[] pred = r.runs().isEmpty() ? torchPred : r.runs().get(0).predictions();
        out.printf(
                Locale.ROOT,
                "%nSample predictions (%s):%n",
                r.runs().isEmpty() ? "PyTorch" : engineName(r.runs().get(0).kind()));
        List<List<String>> pics = new ArrayList<>();
        StringBuilder caption = new StringBuilder();
        for (int i : shown) {
            pics.add(ascii(r.images(), i));
            String c = String.format(
                    Locale.ROOT,
                    "#%d: %d %s",
                    i,
                    pred[i],
                    pred[i] == r.labels()[i] ? "ok" : "(is " + r.labels()[i] + ")");
            caption.append(String.format(Locale.ROOT, "%-20s", c));
        }
        out.println("  " + caption.toString().stripTrailing());
        for (int y = 0; y < r.images().dim(2); y++) {
            StringBuilder line = new StringBuilder("  ");
            for (List<String> pic : pics) {
                line.append('|').append(pic.get(y)).append("|  ");
            }
            out.println(line.toString().stripTrailing());
        }

        out.printf(Locale.ROOT, "%nTimings (%d images in one batch):%n", r.size());
        out.printf(Locale.ROOT, "  %-18s %10s %12s %14s %12s%n", "", "load", "first run", "steady run", "per image");
        for (EngineRun run : r.runs()) {
            out.printf(
                    Locale.ROOT,
                    "  %-18s %7.1f ms %9.1f ms %11.2f ms %9.1f us%n",
                    engineName(run.kind()),
                    run.loadMillis(),
                    run.firstRunMillis(),
                    run.steadyRunMillis(),
                    1000 * run.steadyRunMillis() / r.size());
        }
        out.printf(
                Locale.ROOT,
                "  load: reading the checkpoint, building the ONNX graph, opening the engine;%n"
                        + "  first run: the first batch after loading, cold (the JIT has not compiled the Java engine yet);%n"
                        + "  steady run: median of %d timed runs after %d untimed ones; per image: the steady run / %d.%n",
                STEADY_RUNS,
                STEADY_RUNS,
                r.size());
        for (EngineRun run : r.runs()) {
            out.printf(Locale.ROOT, "  %s: %s%n", engineName(run.kind()), run.description());
        }
        out.flush();
    }

    /**
     * The report as JSON: {@code {"images", "torch": {"version", "correct"}, "engines": [{"engine",
     * "description", "correct", "accuracy", "vs_torch": {"max_abs", "relative", "argmax_agree"},
     * "load_ms", "first_run_ms", "steady_run_ms"}], "matches_pytorch"}}.
     */
    public static String json(Report r) {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = mapper.createObjectNode();
        root.put("images", r.size());
        root.putObject("torch").put("version", r.torchVersion()).put("correct", r.torchCorrect());
        com.fasterxml.jackson.databind.node.ArrayNode engines = root.putArray("engines");
        for (EngineRun run : r.runs()) {
            Comparison c = Comparison.of(engineName(run.kind()) + " vs PyTorch", run.logits(), r.torchLogits());
            com.fasterxml.jackson.databind.node.ObjectNode e = engines.addObject();
            e.put("engine", run.kind().label());
            e.put("description", run.description());
            e.put("correct", run.correct());
            e.put("accuracy", run.accuracy());
            e.putObject("vs_torch")
                    .put("max_abs", c.maxAbs())
                    .put("relative", c.relative())
                    .put("argmax_agree", c.argmaxAgree());
            e.put("load_ms", run.loadMillis());
            e.put("first_run_ms", run.firstRunMillis());
            e.put("steady_run_ms", run.steadyRunMillis());
        }
        root.put("matches_pytorch", matchesPyTorch(r));
        return root.toPrettyString();
    }

    /** Whether every engine's accuracy equals PyTorch's recorded one. */
    public static boolean matchesPyTorch(Report r) {
        return r.runs().stream().allMatch(run -> run.correct() == r.torchCorrect());
    }

    private static String engineName(EngineType kind) {
        return kind == EngineType.ONNX_RUNTIME ? "ONNX Runtime" : "Java engine";
    }

    private static int agree(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            n += a[i] == b[i] ? 1 : 0;
        }
        return n;
    }
}
