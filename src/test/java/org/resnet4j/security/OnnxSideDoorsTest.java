package org.resnet4j.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.cli.Main;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * ONNX side doors: tensors behind side doors (the corpus files r2-onnx-*, which
 * {@link HostileCorpusTest} also runs through the library and {@code inspect}), reading a model once,
 * linear validation of 50,000 subgraphs, object-count and sparse bombs in a 256 MiB JVM, FIFOs and
 * special files as inputs and outputs, the umask, one printable error line, ONNX Runtime's own log
 * lines, and OutOfMemoryError as one error line. The large files are built here, not committed.
 */
class OnnxSideDoorsTest {
    static final Path ROOT = PythonReference.root();
    static final Path CORPUS = HostileCorpus.dir(ROOT);

    @TempDir
    static Path dir;

    static Path model;
    static Path input;

    /** y = x W^T + b with x (N, 3), W (2, 3), plus {@code extra} initializers (ORT drops unused ones, with a warning). */
    static ModelProto gemm(TensorProto... extra) {
        Tensor w = Tensor.of(new int[] {2, 3}, new float[] {1, 2, 3, -1, 0.5f, 0});
        Tensor b = Tensor.of(new int[] {2}, new float[] {0.25f, -4});
        GraphProto.Builder g = GraphProto.newBuilder()
                .setName("gemm")
                .addNode(NodeProto.newBuilder()
                        .setOpType("Gemm")
                        .addInput("x")
                        .addInput("w")
                        .addInput("b")
                        .addOutput("y")
                        .addAttribute(Onnx.intAttr("transB", 1)))
                .addInitializer(Onnx.floatTensor("w", w))
                .addInitializer(Onnx.floatTensor("b", b))
                .addInput(Onnx.floatValueInfo("x", "N", 3))
                .addOutput(Onnx.floatValueInfo("y", "N", 2));
        for (TensorProto t : extra) {
            g.addInitializer(t);
        }
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g)
                .build();
    }

    @BeforeAll
    static void files() throws IOException {
        model = dir.resolve("gemm.onnx");
        Files.write(model, gemm().toByteArray());
        input = dir.resolve("x.npy");
        Npy.write(Tensor.of(new int[] {1, 3}, new float[] {1, 2, 3}), input);
    }

    // ------------------------------------------------------------------ class 1: side doors

    /** A function's attribute default with external data: refused, and the file beside it never read. */
    @Test
    void functionAttributeDefaultCannotReadAFileBesideTheModel() throws IOException {
        Path d = Files.createDirectories(dir.resolve("side-door"));
        Path m = Files.copy(CORPUS.resolve("r2-onnx-function-default-external.onnx"), d.resolve("m.onnx"));
        Files.write(d.resolve("secret.bin"), new byte[16]);
        UnsafeContentException e = assertThrows(UnsafeContentException.class, () -> Onnx.read(m));
        assertContains(e.getMessage(), "function 'F' default attribute 'w'", "secret.bin");
        Cli r = cli(
                "run",
                "--model",
                m.toString(),
                "--input",
                input.toString(),
                "--output",
                d.resolve("y.npy").toString());
        r.assertOneErrorLine("external file 'secret.bin'");
        assertFalse(Files.exists(d.resolve("y.npy")));
    }

    // ------------------------------------------------------------------ class 2: read once

    /** The engine runs the bytes that were validated, whatever the path holds by the time it loads. */
    @Test
    void ortGetsTheValidatedBytesNotThePath() throws IOException {
        Path m = dir.resolve("swapped.onnx");
        Files.write(m, gemm().toByteArray());
        Onnx.ValidatedModel validated = Onnx.readValidated(m);
        assertArrayEquals(Files.readAllBytes(m), validated.bytes());
        // swapped for a model that reads secret.bin, after validation
        Files.copy(
                CORPUS.resolve("r2-onnx-function-default-external.onnx"),
                m,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (OrtEngine e = new OrtEngine(validated, EngineOptions.defaults())) {
            Tensor y = e.run(Tensor.of(new int[] {1, 3}, new float[] {1, 2, 3}));
            assertArrayEquals(new float[] {14.25f, -4f}, y.toArray(), 1e-6f); // 1+4+9+0.25, -1+1+0-4
        }
    }

    /**
     * A FIFO as --model would serve one model to the validator and another to ONNX Runtime, or block
     * forever: refused before it is opened, for every option that reads a file.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void fifoAsModelInputOrReferenceIsRefusedAtOnce() throws Exception {
        Path fifo = mkfifo("served.onnx");
        try {
            String[][] commands = {
                {
                    "run",
                    "--model",
                    fifo.toString(),
                    "--input",
                    input.toString(),
                    "--output",
                    dir.resolve("f1.npy").toString()
                },
                {"parity", "--model", fifo.toString(), "--input", input.toString()},
                {"bench", "--model", fifo.toString(), "--engine", "ort", "--iters", "1"},
                {"inspect", fifo.toString()},
                {
                    "run",
                    "--model",
                    model.toString(),
                    "--input",
                    fifo.toString(),
                    "--output",
                    dir.resolve("f2.npy").toString()
                },
                {"parity", "--model", model.toString(), "--input", input.toString(), "--reference", fifo.toString()},
            };
            for (String[] args : commands) {
                Cli r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cli(args), String.join(" ", args));
                r.assertOneErrorLine(fifo + " is not a regular file (a FIFO)");
            }
            assertThrows(ResNet4jException.class, () -> new OrtEngine(fifo, EngineOptions.defaults()));
            assertThrows(ResNet4jException.class, () -> Npy.read(fifo));
        } finally {
            Files.delete(fifo);
        }
    }

    // ------------------------------------------------------------------ class 3c: linear validation

    /**
     * 50,000 values, then 50,000 If nodes whose branches read them: the validator used to copy the
     * whole outer scope into each of the 100,000 branches (quadratic: minutes); a scope chain makes it
     * linear. Under the default limits the model is refused by its object count before parsing.
     */
    @Test
    void fiftyThousandSubgraphsValidateInLinearTime() {
        byte[] bytes = manyIfs(50_000).toByteArray();
        UnsafeContentException e = assertThrows(UnsafeContentException.class, () -> Onnx.parse(bytes, "ifs.onnx"));
        assertTrue(e.getMessage().contains("onnx.maxObjects"), e.getMessage());
        withProperty("resnet4j.limit.onnx.maxObjects", "100000000", () -> {
            long t0 = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> Onnx.parse(bytes, "ifs.onnx"));
            System.out.printf(
                    "50,000 If nodes (%d bytes): parsed and validated in %.0f ms%n",
                    bytes.length, (System.nanoTime() - t0) / 1e6);
        });
    }

    static ModelProto manyIfs(int n) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("ifs").addInput(Onnx.floatValueInfo("x", "N", 3));
        g.addInitializer(TensorProto.newBuilder()
                .setName("cond")
                .setDataType(TensorProto.DataType.BOOL_VALUE)
                .setRawData(ByteString.copyFrom(new byte[] {1})));
        for (int i = 0; i < n; i++) {
            g.addInitializer(TensorProto.newBuilder()
                    .setName("v" + i)
                    .setDataType(TensorProto.DataType.FLOAT_VALUE)
                    .setRawData(ByteString.copyFrom(new byte[4])));
        }
        for (int i = 0; i < n; i++) {
            g.addNode(NodeProto.newBuilder()
                    .setOpType("If")
                    .addInput("cond")
                    .addOutput("o" + i)
                    .addAttribute(branch("then_branch", "v" + i, "t"))
                    .addAttribute(branch("else_branch", "x", "e")));
        }
        g.addOutput(Onnx.floatValueInfo("o" + (n - 1)));
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g)
                .build();
    }

    private static AttributeProto branch(String name, String reads, String out) {
        GraphProto body = GraphProto.newBuilder()
                .setName(name)
                .addNode(NodeProto.newBuilder()
                        .setOpType("Identity")
                        .addInput(reads)
                        .addOutput(out))
                .addOutput(ValueInfoProto.newBuilder().setName(out))
                .build();
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.GRAPH)
                .setG(body)
                .build();
    }

    // ------------------------------------------------------------------ class 5: counts before materialising

    /**
     * 2 Mi empty initializers: 4 MiB in the file, ~460 MiB once protobuf has built them. Counted before
     * parsing: refused in a few MiB, and in a 256 MiB JVM through the CLI.
     */
    @Test
    void twoMebiEmptyInitializersAreCountedBeforeParsing() throws Exception {
        byte[] bytes = emptyInitializers(2 << 20);
        Path f = dir.resolve("empty-initializers.onnx");
        Files.write(f, bytes);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        UnsafeContentException e = assertThrows(UnsafeContentException.class, () -> Onnx.read(f));
        long used = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        System.out.printf(
                "2 Mi empty initializers (%d bytes): refused after allocating %d bytes%n", bytes.length, used);
        assertTrue(e.getMessage().contains(f + ": the model holds more than 262144 messages"), e.getMessage());
        assertTrue(used < 2L * bytes.length + (8 << 20), "allocated " + used + " bytes");
        childCli("256m", "inspect", f.toString()).assertOneErrorLine("onnx.maxObjects");
        childCli(
                        "256m",
                        "run",
                        "--model",
                        f.toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        dir.resolve("never.npy").toString())
                .assertOneErrorLine("onnx.maxObjects");
        assertFalse(Files.exists(dir.resolve("never.npy")));
    }

    /** ModelProto { ir_version 8, graph { Relu x -> y, n empty initializers } }, written field by field. */
    static byte[] emptyInitializers(int n) throws IOException {
        GraphProto g = GraphProto.newBuilder()
                .setName("g")
                .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("x").addOutput("y"))
                .addInput(Onnx.floatValueInfo("x", "N", 3))
                .addOutput(Onnx.floatValueInfo("y", "N", 3))
                .build();
        byte[] graph = g.toByteArray();
        byte[] empty = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            empty[2 * i] = (byte) (GraphProto.INITIALIZER_FIELD_NUMBER << 3 | 2);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        c.writeInt64(ModelProto.IR_VERSION_FIELD_NUMBER, 8);
        c.writeMessage(
                ModelProto.OPSET_IMPORT_FIELD_NUMBER,
                OperatorSetIdProto.newBuilder().setVersion(17).build());
        c.writeTag(ModelProto.GRAPH_FIELD_NUMBER, 2);
        c.writeUInt32NoTag(graph.length + empty.length);
        c.writeRawBytes(graph);
        c.writeRawBytes(empty);
        c.flush();
        return out.toByteArray();
    }

    /** 129 bytes whose sparse initializer ONNX Runtime would densify to 512 MiB: refused, in a 256 MiB JVM too. */
    @Test
    void sparseDenseBombIsRefusedBeforeOrt() throws Exception {
        Path f = CORPUS.resolve("r2-onnx-sparse-dense-bomb.onnx");
        UnsafeContentException e =
                assertThrows(UnsafeContentException.class, () -> new OrtEngine(f, EngineOptions.defaults()));
        assertTrue(e.getMessage().contains("densifies to 536870912 bytes"), e.getMessage());
        childCli(
                        "256m",
                        "run",
                        "--model",
                        f.toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        dir.resolve("never2.npy").toString())
                .assertOneErrorLine("copy.budgetFactor");
        assertFalse(Files.exists(dir.resolve("never2.npy")));
    }

    /** What the heap cannot hold is one error line naming the file and RESNET4J_JAVA_OPTS, not a trace and exit 3. */
    @Test
    void outOfMemoryIsOneErrorLine() throws Exception {
        Path big = dir.resolve("big.onnx");
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName("big")
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(12 << 20)
                .setRawData(ByteString.copyFrom(new byte[48 << 20]));
        Files.write(big, gemm(t.build()).toByteArray());
        Cli r = childCli("32m", "inspect", big.toString());
        r.assertOneErrorLine("out of memory");
        assertContains(r.err, big.toString(), "RESNET4J_JAVA_OPTS=-Xmx");
    }

    // ------------------------------------------------------------------ class 7: outputs

    /** An output that exists and is not a regular file is refused; the device, FIFO or folder is left as it was. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void outputOntoSpecialFilesIsRefused() throws Exception {
        Path devNull = Files.createSymbolicLink(dir.resolve("null-link.npy"), Path.of("/dev/null"));
        Path fifo = mkfifo("out-fifo.npy");
        Path folder = Files.createDirectories(dir.resolve("out-folder.npy"));
        try {
            for (Path out : List.of(devNull, fifo, folder)) {
                Cli r = assertTimeoutPreemptively(
                        Duration.ofSeconds(60),
                        () -> cli(
                                "run",
                                "--model",
                                model.toString(),
                                "--input",
                                input.toString(),
                                "--output",
                                out.toString()));
                r.assertOneErrorLine("output " + out + " exists and is not a regular file");
                assertTrue(r.out.isEmpty(), r.out);
            }
            Cli export = cli(
                    "export",
                    "--spec",
                    ROOT.resolve("testdata/golden/tiny_basic/spec.json").toString(),
                    "--weights",
                    ROOT.resolve("testdata/golden/tiny_basic/weights.pth").toString(),
                    "--out",
                    devNull.toString());
            export.assertOneErrorLine("(a character device)");
            assertTrue(Files.isSymbolicLink(devNull), "the link to /dev/null was replaced");
            assertTrue(Files.isDirectory(folder));
            assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO was replaced");
            try (var left = Files.list(dir)) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file left");
            }
        } finally {
            Files.delete(fifo);
            Files.delete(devNull); // the link, not /dev/null
        }
    }

    /** Outputs get 0666 minus the umask (0644 under 022), as any tool's do; they were always 0600. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void outputsHonourTheUmask() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "umask").start();
        int umask =
                Integer.parseInt(new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim(), 8);
        p.waitFor();
        Path out = dir.resolve("perm.npy");
        Cli r = cli("run", "--model", model.toString(), "--input", input.toString(), "--output", out.toString());
        assertEquals(0, r.code, r.err);
        Set<PosixFilePermission> expected = PosixFilePermissions.fromString(rwx(0666 & ~umask));
        assertEquals(expected, Files.getPosixFilePermissions(out), "umask " + Integer.toOctalString(umask));
        assertArrayEquals(new float[] {14.25f, -4f}, Npy.read(out).toArray(), 1e-6f);
    }

    private static String rwx(int mode) {
        StringBuilder s = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            s.append((mode >> shift & 4) != 0 ? 'r' : '-')
                    .append((mode >> shift & 2) != 0 ? 'w' : '-')
                    .append((mode >> shift & 1) != 0 ? 'x' : '-');
        }
        return s.toString();
    }

    // ------------------------------------------------------------------ class 8: one line

    /** A name with a newline, "error: forged" and ANSI escapes prints as one inert line. */
    @Test
    void forgedSecondLineIsEscaped() {
        Path f = CORPUS.resolve("r2-onnx-forged-line.onnx");
        FormatException e = assertThrows(FormatException.class, () -> Onnx.read(f));
        assertTrue(e.getMessage().contains("'ghost\\nerror: forged\\x1b[2J\\x1b[31m\\r\\x7f\\x85'"), e.getMessage());
        assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20 || c >= 0x7f && c <= 0x9f), e.getMessage());
        for (String[] args : new String[][] {
            {"inspect", f.toString()},
            {
                "run",
                "--model",
                f.toString(),
                "--input",
                input.toString(),
                "--output",
                dir.resolve("n.npy").toString()
            }
        }) {
            Cli r = cli(args);
            r.assertOneErrorLine("\\nerror: forged\\x1b[2J");
            assertFalse(r.err.contains("\u001b") || r.err.contains("\r"), r.err);
        }
    }

    /** ONNX Runtime's own (coloured, stderr) log lines are silenced, unless --verbose. */
    @Test
    void ortLogLinesOnlyWithVerbose() throws Exception {
        TensorProto unused = Onnx.floatTensor("unused", Tensor.of(new int[] {1}, new float[] {0}));
        Path m = dir.resolve("unused.onnx");
        Files.write(m, gemm(unused).toByteArray());
        String[] run = {
            "run",
            "--model",
            m.toString(),
            "--input",
            input.toString(),
            "--output",
            dir.resolve("u.npy").toString(),
            // ORT logs the removal while optimising: a session opened from the cache would not optimise
            "--no-session-cache"
        };
        Cli quiet = childCli("256m", run);
        assertEquals(0, quiet.code, quiet.err);
        assertFalse(quiet.err.contains("onnxruntime"), quiet.err);
        List<String> verboseArgs = new ArrayList<>(Arrays.asList(run));
        verboseArgs.add("--verbose");
        Cli verbose = childCli("256m", verboseArgs.toArray(String[]::new));
        assertEquals(0, verbose.code, verbose.err);
        assertTrue(
                verbose.err.contains("Removing initializer 'unused'"),
                "ORT's warning should show with --verbose: " + verbose.err);
    }

    // ------------------------------------------------------------------ helpers

    record Cli(int code, String out, String err) {
        /** Exit 1, exactly one line on stderr, "error: ...", containing {@code what}, no stack trace. */
        void assertOneErrorLine(String what) {
            assertEquals(1, code, "exit code; stderr: " + err);
            List<String> lines = err.lines()
                    .filter(l -> !l.startsWith("WARNING: Using incubator modules"))
                    .toList();
            assertEquals(1, lines.size(), "not one line: " + err);
            assertTrue(lines.get(0).startsWith("error: "), err);
            assertTrue(lines.get(0).contains(what), "'" + what + "' missing: " + err);
            assertFalse(err.contains("\tat ") || err.contains("Exception"), "stack trace: " + err);
        }
    }

    static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** The CLI in a JVM of the given heap (its own ONNX Runtime environment too), with a 5-minute limit. */
    static Cli childCli(String heap, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "--add-modules",
                "jdk.incubator.vector",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(Arrays.asList(args));
        Path stdout = Files.createTempFile(dir, "child", ".out");
        Path stderr = Files.createTempFile(dir, "child", ".err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        Cli r = new Cli(p.exitValue(), Files.readString(stdout), Files.readString(stderr));
        Files.delete(stdout);
        Files.delete(stderr);
        return r;
    }

    static Path mkfifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        return fifo;
    }

    static void withProperty(String key, String value, Runnable r) {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            r.run();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }
}
