package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.Messages;
import org.resnet4j.testing.Parity;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/** Every command's happy path on the golden fixtures, and the error messages users see. */
class CliTest {
    static final Path GOLDEN = PythonReference.root().resolve("testdata/golden/tiny_basic");

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static String g(String file) {
        return GOLDEN.resolve(file).toString();
    }

    @Test
    void exportThenRunMatchesTorchvision() {
        Path onnx = dir.resolve("m.onnx");
        Result r = cli("export", "--spec", g("spec.json"), "--weights", g("weights.pth"), "--out", onnx.toString());
        assertEquals(0, r.code, r.err);
        assertContains(r.out, "wrote " + onnx, "opset 17");
        Path y = dir.resolve("y.npy");
        r = cli(
                "run",
                "--model",
                onnx.toString(),
                "--input",
                g("input.npy"),
                "--output",
                y.toString(),
                "--threads",
                "1");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("[2, 5]"), r.out);
        Parity.assertClose(
                "cli run --model", Npy.read(y), Npy.read(GOLDEN.resolve("output.npy")), Parity.TORCH_TOLERANCE);
    }

    @Test
    void runStraightFromWeights() {
        Path y = dir.resolve("y.npy");
        Result r = cli(
                "run",
                "--spec",
                g("spec.json"),
                "--weights",
                g("weights.pth"),
                "--input",
                g("input.npy"),
                "--output",
                y.toString());
        assertEquals(0, r.code, r.err);
        Parity.assertClose(
                "cli run --weights", Npy.read(y), Npy.read(GOLDEN.resolve("output.npy")), Parity.TORCH_TOLERANCE);
    }

    @Test
    void inspectCheckpointAndModel() throws Exception {
        Result r = cli("inspect", g("weights.pth"), "--json");
        assertEquals(0, r.code, r.err);
        JsonNode j = new ObjectMapper().readTree(r.out);
        assertEquals("pytorch-zip", j.get("format").asText());
        assertEquals("float32", j.get("tensors").get(0).get("dtype").asText());
        assertEquals("conv1.weight", j.get("tensors").get(0).get("name").asText());
        assertEquals("[4,3,7,7]", j.get("tensors").get(0).get("shape").toString());

        r = cli("inspect", g("weights.pth"));
        assertEquals(0, r.code, r.err);
        assertContains(r.out, "format:     pytorch-zip", "conv1.weight");

        Path onnx = dir.resolve("m.onnx");
        assertEquals(
                0,
                cli(
                                "export",
                                "--spec",
                                g("spec.json"),
                                "--weights",
                                g("weights.pth"),
                                "--out",
                                onnx.toString(),
                                "--fold-bn",
                                "--opset",
                                "13")
                        .code);
        r = cli("inspect", onnx.toString(), "--json");
        assertEquals(0, r.code, r.err);
        j = new ObjectMapper().readTree(r.out);
        assertEquals(13, j.get("opsets").get("ai.onnx").asInt());
        assertFalse(j.get("ops").has("BatchNormalization"), r.out);
        assertEquals("true", j.get("metadata").get("resnet4j.folded_batchnorm").asText());
    }

    @Test
    void mismatchedWeightsListEveryProblemWithoutStackTrace() {
        Path onnx = dir.resolve("m.onnx");
        Result r = cli("export", "--arch", "resnet18", "--weights", g("weights.pth"), "--out", onnx.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("weights.pth: weights do not match the architecture"), r.err);
        assertTrue(
                r.err.contains("Shape mismatch in `conv1.weight`: expected [64, 3, 7, 7], found [4, 3, 7, 7]"), r.err);
        assertFalse(r.err.contains("\tat "), "no stack trace by default:\n" + r.err);
        assertFalse(Files.exists(onnx), "no output on failure");
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no temporary file left behind");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void verboseShowsTheStackTrace() {
        Result r = cli(
                "export",
                "--arch",
                "resnet18",
                "--weights",
                g("weights.pth"),
                "--out",
                dir.resolve("m.onnx").toString(),
                "--verbose");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("\tat "), r.err);
    }

    @Test
    void usageErrorsNameTheLegalChoices() {
        Result r = cli(
                "export",
                "--arch",
                "resnet51",
                "--weights",
                g("weights.pth"),
                "--out",
                dir.resolve("m.onnx").toString());
        assertEquals(1, r.code);
        assertContains(r.err, "unknown architecture 'resnet51'", "resnext101_64x4d");

        r = cli(
                "export",
                "--spec",
                g("spec.json"),
                "--weights",
                g("weights.pth"),
                "--out",
                dir.resolve("m.onnx").toString(),
                "--opset",
                "22");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("opset 22 is not supported, expected 13..21"), r.err);

        r = cli(
                "export",
                "--spec",
                g("spec.json"),
                "--weights",
                dir.resolve("missing.pth").toString(),
                "--out",
                dir.resolve("m.onnx").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("missing.pth"), r.err);

        r = cli(
                "run",
                "--input",
                g("input.npy"),
                "--output",
                dir.resolve("y.npy").toString());
        assertEquals(1, r.code);
        assertContains(r.err, "--model", "--weights");

        r = cli(
                "run",
                "--spec",
                g("spec.json"),
                "--weights",
                g("weights.pth"),
                "--input",
                g("spec.json"),
                "--output",
                dir.resolve("y.npy").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("spec.json: not a .npy file"), r.err);
        assertFalse(Files.exists(dir.resolve("y.npy")));

        r = cli(
                "run",
                "--spec",
                g("spec.json"),
                "--weights",
                g("weights.pth"),
                "--input",
                g("input.npy"),
                "--output",
                dir.resolve("y.npy").toString(),
                "--device",
                "tpu");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("--device: unknown device 'tpu', expected one of cpu, cuda"), r.err);

        r = cli("bench", "--arch", "resnet18", "--size", "32", "--threads", "-2");
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("error: --threads: threads is -2, expected 0 (all cores) or more"), r.err);

        r = cli("export", "--out", "x.onnx", "--bogus");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--bogus"), r.err);
    }

    /** x float32 [N, 3] and idx int64 [2] in; g = Gather(x, idx, axis 1) float32 and shp = Shape(x) int64 out. */
    private Path twoInputModel() throws java.io.IOException {
        var graph = org.resnet4j.onnx.GraphProto.newBuilder()
                .setName("two")
                .addNode(org.resnet4j.onnx.NodeProto.newBuilder()
                        .setOpType("Gather")
                        .addInput("x")
                        .addInput("idx")
                        .addOutput("g")
                        .addAttribute(org.resnet4j.onnx.Onnx.intAttr("axis", 1)))
                .addNode(org.resnet4j.onnx.NodeProto.newBuilder()
                        .setOpType("Shape")
                        .addInput("x")
                        .addOutput("shp"))
                .addInput(org.resnet4j.onnx.Onnx.valueInfo("x", DType.FLOAT32, "N", 3))
                .addInput(org.resnet4j.onnx.Onnx.valueInfo("idx", DType.INT64, 2))
                .addOutput(org.resnet4j.onnx.Onnx.valueInfo("g", DType.FLOAT32, "N", 2))
                .addOutput(org.resnet4j.onnx.Onnx.valueInfo("shp", DType.INT64, 2));
        var model = org.resnet4j.onnx.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(
                        org.resnet4j.onnx.OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(graph)
                .build();
        Path file = dir.resolve("two.onnx");
        org.resnet4j.onnx.Onnx.write(model, file);
        return file;
    }

    /**
     * A command's outputs are committed together or not at all: when the second target is refused, the
     * first is not written either (an existing file there keeps its bytes), no temporary file stays,
     * and two outputs to one path are refused instead of one replacing the other.
     */
    @Test
    void runCommitsAllOutputsOrNone() throws Exception {
        Path onnx = twoInputModel();
        Path x = dir.resolve("x.npy");
        Path idx = dir.resolve("idx.npy");
        Npy.write(Tensor.of(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}), x);
        Npy.write(Tensor.ofLongs(new int[] {2}, new long[] {2, 1}), idx);
        Path out = dir.resolve("outs");
        Files.createDirectories(out);
        Path g = out.resolve("g.npy");
        Files.writeString(g, "old bytes");
        Path folder = out.resolve("shp.npy");
        Files.createDirectories(folder); // the second output's target is a folder: refused
        Result r = cli(
                "run",
                "--model",
                onnx.toString(),
                "--input",
                "x=" + x,
                "--input",
                "idx=" + idx,
                "--output",
                "g=" + g,
                "--output",
                "shp=" + folder);
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.startsWith("error: output " + folder + " exists and is not a regular file"), r.err);
        assertEquals("old bytes", Files.readString(g), "the first output must not be replaced alone");
        try (var files = Files.list(out)) {
            assertEquals(2, files.count(), "no temporary file left beside the outputs");
        }
        Path same = out.resolve("same.npy");
        r = cli(
                "run",
                "--model",
                onnx.toString(),
                "--input",
                "x=" + x,
                "--input",
                "idx=" + idx,
                "--output",
                "g=" + same,
                "--output",
                "shp=" + same);
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.contains("two outputs are " + same), r.err);
        assertFalse(Files.exists(same));
    }

    @Test
    void runTakesNamedInputsAndWritesNamedOutputsOfAnyType() throws Exception {
        Path onnx = twoInputModel();
        Path x = dir.resolve("x.npy");
        Path idx = dir.resolve("idx.npy");
        Npy.write(Tensor.of(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}), x);
        Npy.write(Tensor.ofLongs(new int[] {2}, new long[] {2, 1}), idx);
        Path g = dir.resolve("g.npy");
        Path shp = dir.resolve("shp.npy");
        Result r = cli(
                "run",
                "--model",
                onnx.toString(),
                "--input",
                "x=" + x,
                "--input",
                "idx=" + idx,
                "--output",
                g.toString(),
                "--output",
                "shp=" + shp);
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("wrote " + shp + " int64 [2] (output 'shp')"), r.out);
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new float[] {3, 2, 6, 5}, Npy.read(g).toArray());
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new long[] {2, 3}, Npy.read(shp).toLongArray());

        String inputs = "model inputs: x float32 [?, 3], idx int64 [2]";
        r = cli("run", "--model", onnx.toString(), "--input", x.toString(), "--output", g.toString());
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.startsWith("error: the model has 2 inputs"), r.err);
        assertContains(r.err, "--input NAME=FILE.npy", inputs);
        assertEquals(1, r.err.lines().count(), "one line: " + r.err);

        r = cli(
                "run",
                "--model",
                onnx.toString(),
                "--input",
                "x=" + x,
                "--input",
                "idx=" + x,
                "--output",
                g.toString());
        assertEquals(1, r.code, r.err);
        assertContains(r.err, "input 'idx' is float32, expected int64", "has shape [2, 3], expected [2]", inputs);
        assertEquals(1, r.err.lines().count(), "one line: " + r.err);

        r = cli(
                "run",
                "--model",
                onnx.toString(),
                "--input",
                "x=" + x,
                "--input",
                "ix=" + idx,
                "--output",
                g.toString());
        assertEquals(1, r.code, r.err);
        assertContains(r.err, "the model has no input 'ix'", inputs);

        r = cli("run", "--model", onnx.toString(), "--input", "x=" + x, "--input", "idx=" + idx, "--output", "y=" + g);
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.contains("the model has no output 'y' (model outputs: g, shp)"), r.err);
    }

    @Test
    void wrongInputShapeIsReported() {
        Path onnx = dir.resolve("m.onnx");
        assertEquals(
                0,
                cli("export", "--spec", g("spec.json"), "--weights", g("weights.pth"), "--out", onnx.toString()).code);
        Path gray = dir.resolve("gray.npy");
        try {
            Npy.write(org.resnet4j.tensor.Tensor.zeros(1, 1, 8, 8), gray);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Result r = cli(
                "run",
                "--model",
                onnx.toString(),
                "--input",
                gray.toString(),
                "--output",
                dir.resolve("y.npy").toString());
        assertEquals(1, r.code);
        assertContains(r.err, "[1, 1, 8, 8]", "[?, 3, ?, ?]");
    }

    @Test
    void exportInfersTheArchitectureWithoutArch() {
        Path onnx = dir.resolve("m.onnx");
        Result r = cli("export", "--weights", g("weights.pth"), "--out", onnx.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("custom spec (inferred)"), r.out);
    }

    @Test
    void mismatchHintsWhatTheWeightsLookLike() {
        Result r = cli(
                "export",
                "--arch",
                "resnet18",
                "--weights",
                g("weights.pth"),
                "--out",
                dir.resolve("m.onnx").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("; hint: the weights look like a custom ResNet (basic [1, 1, 1, 1]"), r.err);
    }

    @Test
    void convertWritesCanonicalSafetensorsAndPth() throws Exception {
        for (String name : new String[] {"w.safetensors", "w.pth"}) {
            Path out = dir.resolve(name);
            Result r = cli("convert", "--weights", g("weights.pth"), "--out", out.toString());
            assertEquals(0, r.code, r.err);
            var original = org.resnet4j.build.OnnxBuild.loadWeights(GOLDEN.resolve("weights.pth"))
                    .tensors();
            var back = org.resnet4j.build.OnnxBuild.loadWeights(out).tensors();
            assertEquals(original.names(), back.names());
            for (String k : original.names()) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(
                        original.get(k).toArray(), back.get(k).toArray(), k);
            }
        }
        Result r = cli(
                "convert",
                "--weights",
                g("weights.pth"),
                "--out",
                dir.resolve("w.bin").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains(".safetensors, .pth, .pt"), r.err);
    }

    @Test
    void benchPrintsTimingsAsJson() throws Exception {
        Result r = cli(
                "bench",
                "--arch",
                "resnet18",
                "--size",
                "32",
                "--iters",
                "2",
                "--warmup",
                "0",
                "--threads",
                "1",
                "--json");
        assertEquals(0, r.code, r.err);
        JsonNode j = new ObjectMapper().readTree(r.out);
        assertEquals("ort", j.get("engine").asText());
        assertEquals(1, j.get("threads").asInt());
        assertTrue(j.get("median_ms").asDouble() > 0, r.out);
        assertTrue(j.get("images_per_s").asDouble() > 0, r.out);
        // resnet18 at 32x32: 2 * 37.3 M MACs per image (torchvision's count scaled by the area)
        double flopsPerRun = j.get("gflops").asDouble() * j.get("median_ms").asDouble() / 1e3 * 1e9;
        assertEquals(
                2 * org.resnet4j.spec.Flops.macs(org.resnet4j.spec.Presets.get("resnet18"), 32, 32), flopsPerRun, 1e3);

        r = cli("bench", "--arch", "resnet18", "--model", "m.onnx");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("mutually exclusive"), r.err);
    }

    @Test
    void benchAgainstAnotherModelAlternatesThemOnOneEngine() throws Exception {
        Path onnx = dir.resolve("golden.onnx");
        Result r = cli("export", "--spec", g("spec.json"), "--weights", g("weights.pth"), "--out", onnx.toString());
        assertEquals(0, r.code, r.err);
        Path folded = dir.resolve("golden-folded.onnx");
        r = cli(
                "export",
                "--spec",
                g("spec.json"),
                "--weights",
                g("weights.pth"),
                "--fold-bn",
                "--out",
                folded.toString());
        assertEquals(0, r.code, r.err);
        r = cli(
                "bench",
                "--model",
                onnx.toString(),
                "--against-model",
                folded.toString(),
                "--size",
                "16",
                "--iters",
                "2",
                "--warmup",
                "0",
                "--threads",
                "1",
                "--json");
        assertEquals(0, r.code, r.err);
        JsonNode j = new ObjectMapper().readTree(r.out);
        JsonNode o = j.get("against");
        assertEquals(folded.toString(), o.get("model").asText(), r.out);
        assertEquals("ort", o.get("engine").asText(), r.out);
        assertEquals(
                j.get("min_ms").asDouble() / o.get("min_ms").asDouble(),
                j.get("ratio_best").asDouble(),
                1e-9);
        r = cli(
                "bench",
                "--model",
                onnx.toString(),
                "--against-model",
                folded.toString(),
                "--size",
                "16",
                "--iters",
                "1",
                "--warmup",
                "0",
                "--threads",
                "1");
        assertEquals(0, r.code, r.err);
        Messages.assertContains(r.out, "golden.onnx/golden-folded.onnx per round: median");
    }

    @Test
    void benchAgainstAnotherEngineAlternatesThemAndReportsTheRatio() throws Exception {
        Result r = cli(
                "bench",
                "--arch",
                "resnet18",
                "--size",
                "32",
                "--iters",
                "3",
                "--warmup",
                "1",
                "--threads",
                "1",
                "--engine",
                "java",
                "--against",
                "ort",
                "--json");
        assertEquals(0, r.code, r.err);
        JsonNode j = new ObjectMapper().readTree(r.out);
        assertEquals("java", j.get("engine").asText());
        assertEquals(
                org.resnet4j.engine.jvm.JavaEngine.vectorBits(),
                j.get("vector_bits").asInt(),
                r.out);
        JsonNode o = j.get("against");
        assertEquals("ort", o.get("engine").asText());
        assertTrue(
                o.get("engine_detail").asText().contains("onnxruntime")
                        || o.get("engine_detail").asText().contains("ort"),
                o.toString());
        double best = j.get("min_ms").asDouble() / o.get("min_ms").asDouble();
        assertEquals(best, j.get("ratio_best").asDouble(), 1e-9 * best);
        double min = j.get("ratio_min").asDouble();
        double med = j.get("ratio_median").asDouble();
        double max = j.get("ratio_max").asDouble();
        assertTrue(0 < min, "min > 0: " + j);
        assertTrue(min <= med, "min <= median: " + j);
        assertTrue(med <= max, "median <= max: " + j);
        // each engine's GFLOP/s is the same model's FLOPs over its own median time
        assertEquals(
                j.get("gflops").asDouble() * j.get("median_ms").asDouble(),
                o.get("gflops").asDouble() * o.get("median_ms").asDouble(),
                1e-6 * j.get("gflops").asDouble() * j.get("median_ms").asDouble());

        // the same engine on another thread count: what the threads buy
        r = cli(
                "bench",
                "--arch",
                "resnet18",
                "--size",
                "32",
                "--iters",
                "2",
                "--warmup",
                "0",
                "--threads",
                "2",
                "--engine",
                "java",
                "--against",
                "java",
                "--against-threads",
                "1",
                "--json");
        assertEquals(0, r.code, r.err);
        j = new ObjectMapper().readTree(r.out);
        assertEquals(2, j.get("threads").asInt());
        assertEquals("java", j.get("against").get("engine").asText());
        assertEquals(1, j.get("against").get("threads").asInt());
        assertTrue(j.get("against").get("engine_detail").asText().contains("1 thread"), j.toString());
        r = cli(
                "bench",
                "--arch",
                "resnet18",
                "--size",
                "32",
                "--iters",
                "1",
                "--warmup",
                "0",
                "--threads",
                "2",
                "--engine",
                "java",
                "--against",
                "java",
                "--against-threads",
                "1");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("java@2/java@1 per round: median "), r.out);

        r = cli("bench", "--arch", "resnet18", "--size", "32", "--engine", "ort", "--against", "ort", "--threads", "2");
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("error: --against ort with 2 threads is what --engine already times"), r.err);
        r = cli("bench", "--arch", "resnet18", "--size", "32", "--engine", "java", "--against", "tpu");
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("error: --against: unknown engine 'tpu', expected one of ort, java"), r.err);
        r = cli("bench", "--arch", "resnet18", "--size", "32", "--against-threads", "1");
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("error: --against-threads needs --against"), r.err);
    }

    @Test
    void runWithTheJavaEngine() {
        Path y = dir.resolve("y.npy");
        Result r = cli(
                "run",
                "--weights",
                g("weights.pth"),
                "--spec",
                g("spec.json"),
                "--input",
                g("input.npy"),
                "--output",
                y.toString(),
                "--engine",
                "java");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("java"), r.out);
        Parity.assertClose(
                "cli run --engine java", Npy.read(y), Npy.read(GOLDEN.resolve("output.npy")), Parity.TORCH_TOLERANCE);
        r = cli(
                "run",
                "--weights",
                g("weights.pth"),
                "--input",
                g("input.npy"),
                "--output",
                y.toString(),
                "--engine",
                "tpu");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("--engine: unknown engine 'tpu', expected one of ort, java"), r.err);
    }

    @Test
    void parityReportsBothEnginesAndFailsBeyondTolerance() throws Exception {
        Path onnx = dir.resolve("m.onnx");
        assertEquals(0, cli("export", "--weights", g("weights.pth"), "--out", onnx.toString()).code);
        Result r = cli("parity", "--model", onnx.toString(), "--input", g("input.npy"), "--reference", g("output.npy"));
        assertEquals(0, r.code, r.out + r.err);
        assertContains(r.out, "logits: java vs ort", "logits: java vs reference", "argmax 2/2");
        assertTrue(r.out.trim().endsWith("PASS"), r.out);

        // a reference 1% off must fail at the default tolerance and pass at a loose one
        org.resnet4j.tensor.Tensor ref = Npy.read(GOLDEN.resolve("output.npy"));
        float[] off = ref.toArray();
        for (int i = 0; i < off.length; i++) {
            off[i] *= 1.01f;
        }
        Path bad = dir.resolve("off.npy");
        Npy.write(org.resnet4j.tensor.Tensor.of(ref.shape(), off), bad);
        r = cli("parity", "--model", onnx.toString(), "--input", g("input.npy"), "--reference", bad.toString());
        assertEquals(1, r.code, r.out);
        assertTrue(r.out.contains("FAIL"), r.out);
        r = cli(
                "parity",
                "--model",
                onnx.toString(),
                "--input",
                g("input.npy"),
                "--reference",
                bad.toString(),
                "--rtol",
                "0.02");
        assertEquals(0, r.code, r.out);
    }

    @Test
    void parityFlagsPlainOrtPadFusionAndStillPasses() {
        Path c = PythonReference.root().resolve("testdata/ortpad/maxpool_opset9");
        Result r = cli(
                "parity",
                "--model",
                c.resolve("model.onnx").toString(),
                "--input",
                c.resolve("input.npy").toString(),
                "--reference",
                c.resolve("output.npy").toString(),
                "--threads",
                "1");
        assertEquals(0, r.code, r.out + r.err);
        assertContains(r.out, "Pad_Fusion off", "logits: plain-ort vs java", "FLAG: ONNX Runtime's Pad_Fusion rule");
        assertTrue(r.out.trim().endsWith("PASS"), r.out);
        r = cli(
                "parity",
                "--model",
                c.resolve("model.onnx").toString(),
                "--input",
                c.resolve("input.npy").toString(),
                "--threads",
                "1",
                "--json");
        assertEquals(0, r.code, r.out + r.err);
        JsonNode j = json(r.out);
        assertTrue(j.at("/ort_guard/plain_ort_flagged").asBoolean(), "plain ORT flagged: " + r.out);
        assertTrue(j.get("pass").asBoolean(), "pass: " + r.out);
        assertEquals("Pad_Fusion", j.at("/ort_guard/rule_disabled").asText());
        assertTrue(j.at("/comparisons/1/relative").asDouble() > 1e-4, "plain ORT vs java: " + j.at("/comparisons/1"));
    }

    @Test
    void parityWithTorchRunsTheCheckpointInTorchvision() {
        PythonReference.require();
        Result r = cli(
                "parity",
                "--spec",
                g("spec.json"),
                "--weights",
                g("weights.pth"),
                "--input",
                g("input.npy"),
                "--torch",
                "--python",
                PythonReference.PYTHON,
                "--threads",
                "1",
                "--json");
        assertEquals(0, r.code, r.out + r.err);
        JsonNode j = json(r.out);
        assertTrue(j.at("/engines/torch").asText().startsWith("torch "), r.out);
        // torchvision's logits here must be the fixture's (made by tools/torch_reference.py from the same weights)
        assertEquals("ort vs torch", j.at("/comparisons/1/pair").asText());
        assertTrue(j.at("/comparisons/1/relative").asDouble() <= Parity.TORCH_TOLERANCE, r.out);
        assertTrue(j.at("/comparisons/2/relative").asDouble() <= Parity.TORCH_TOLERANCE, r.out);
        org.resnet4j.tensor.Tensor fixture = Npy.read(GOLDEN.resolve("output.npy"));
        assertEquals(fixture.maxAbs(), j.at("/comparisons/1/max_ref").asDouble(), 1e-6 * fixture.maxAbs());
    }

    @Test
    void parityTorchWithoutTorchIsOneLine() throws Exception {
        Path noTorch = dir.resolve("python-without-site");
        // -S leaves site-packages off the path: the same interpreter without torch, torchvision or numpy
        Files.writeString(noTorch, "#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n");
        noTorch.toFile().setExecutable(true);
        Result r = cli(
                "parity",
                "--spec",
                g("spec.json"),
                "--weights",
                g("weights.pth"),
                "--input",
                g("input.npy"),
                "--torch",
                "--python",
                noTorch.toString(),
                "--threads",
                "1");
        assertEquals(1, r.code, r.out + r.err);
        assertTrue(
                r.err.startsWith("error: Python '" + noTorch + "' cannot import torch, torchvision and numpy"), r.err);
        assertContains(r.err, "apt-get install python3-torch");
        assertEquals(1, r.err.lines().count(), "one line: " + r.err);

        r = cli(
                "parity",
                "--spec",
                g("spec.json"),
                "--weights",
                g("weights.pth"),
                "--torch",
                "--python",
                dir.resolve("no-such-python").toString());
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.startsWith("error: cannot start Python"), r.err);
        assertEquals(1, r.err.lines().count(), "one line: " + r.err);

        r = cli("parity", "--model", dir.resolve("m.onnx").toString(), "--torch");
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.contains("--torch runs a checkpoint in torchvision: give it with --weights FILE"), r.err);
    }

    @Test
    void aFileInNoNamingSchemeIsInspectableButNotExportable() {
        String views =
                PythonReference.root().resolve("testdata/weights/views.pth").toString();
        Result r = cli("inspect", views);
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("scheme:     none recognised"), r.out);
        r = cli("export", "--weights", views, "--out", dir.resolve("m.onnx").toString());
        assertEquals(1, r.code);
        assertContains(r.err, "views.pth", "match no known ResNet naming scheme", "plain.weight", "huggingface");
    }
}
