package org.resnet4j.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException;
import org.resnet4j.cli.Main;
import org.resnet4j.testing.PythonReference;

/**
 * The hostile corpus (testdata/hostile, made by tools/make_hostile_corpus.py): every file gives the
 * manifest's exception with a message naming the file and the reason, through the library and the
 * CLI (exit 1, one line, no stack trace, no output file); a 256 MiB JVM reads them all; pickles
 * that run a command in Python never run it here.
 */
class HostileCorpusTest {
    static final Path ROOT = PythonReference.root();
    static final List<HostileCorpus.Item> CORPUS = HostileCorpus.load(ROOT);
    static final Path MARKER = Path.of("/tmp/resnet4j-hostile-marker");

    @TempDir
    static Path dir;

    static Path model;

    /** A float [1] of zero: the input of the corpus's engine cases. */
    static Path oneZero;

    @BeforeAll
    static void exportModel() throws IOException {
        oneZero = dir.resolve("one-zero.npy");
        org.resnet4j.weights.Npy.write(org.resnet4j.tensor.Tensor.zeros(1), oneZero);
        model = dir.resolve("tiny.onnx");
        Path g = ROOT.resolve("testdata/golden/tiny_basic");
        int code = Main.execute(
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()),
                "export",
                "--spec",
                g.resolve("spec.json").toString(),
                "--weights",
                g.resolve("weights.pth").toString(),
                "--out",
                model.toString());
        assertEquals(0, code, "export of the tiny model");
    }

    @Test
    void corpusIsLargeAndSmall() throws IOException {
        assertTrue(CORPUS.size() >= 40, "at least 40 hostile files, found " + CORPUS.size());
        long total = 0;
        for (HostileCorpus.Item i : CORPUS) {
            total += Files.size(i.file());
        }
        assertTrue(total < 2_000_000, "corpus of " + total + " bytes");
    }

    @TestFactory
    Stream<DynamicTest> libraryRefusesEveryFile() {
        return CORPUS.stream()
                .map(item -> DynamicTest.dynamicTest(item.name(), () -> {
                    ResNet4jException e = assertThrows(
                            ResNet4jException.class,
                            () -> HostileCorpus.read(item),
                            item.name() + " (" + item.attack() + ") was read without error");
                    assertEquals(item.exception(), e.getClass().getSimpleName(), item.name() + ": " + e.getMessage());
                    assertTrue(
                            e.getMessage()
                                    .contains(
                                            item.isEngine()
                                                    ? "node"
                                                    : item.file().toString()),
                            "message does not name the " + (item.isEngine() ? "node" : "file") + ": " + e.getMessage());
                    assertTrue(
                            e.getMessage()
                                    .toLowerCase(Locale.ROOT)
                                    .contains(item.reason().toLowerCase(Locale.ROOT)),
                            item.name() + ": message lacks '" + item.reason() + "': " + e.getMessage());
                }));
    }

    @TestFactory
    Stream<DynamicTest> cliRefusesEveryFileWithOneLine() {
        return CORPUS.stream()
                .filter(i -> !isImage(i))
                .map(item -> DynamicTest.dynamicTest(item.name(), () -> {
                    Path out = dir.resolve(item.name() + ".out.npy");
                    String[] args = item.kind().equals("npy")
                            ? new String[] {
                                "run",
                                "--model",
                                model.toString(),
                                "--input",
                                item.file().toString(),
                                "--output",
                                out.toString()
                            }
                            : item.isEngine()
                                    ? new String[] {
                                        "run",
                                        "--model",
                                        item.file().toString(),
                                        "--input",
                                        oneZero.toString(),
                                        "--output",
                                        out.toString(),
                                        "--engine",
                                        item.engine().label()
                                    }
                                    : new String[] {"inspect", item.file().toString()};
                    StringWriter o = new StringWriter();
                    StringWriter err = new StringWriter();
                    int code = Main.execute(new PrintWriter(o), new PrintWriter(err), args);
                    String e = err.toString();
                    assertEquals(1, code, item.name() + ": exit code; stderr: " + e);
                    assertTrue(
                            e.startsWith("error: ") && e.strip().lines().count() == 1,
                            item.name() + ": not one line: " + e);
                    assertFalse(e.contains("\tat ") || e.contains("Exception:"), item.name() + ": stack trace: " + e);
                    assertTrue(e.contains(item.isEngine() ? "node" : item.file().toString()), e);
                    assertTrue(o.toString().isEmpty(), item.name() + ": printed " + o);
                    assertFalse(Files.exists(out), item.name() + ": output file created");
                    try (Stream<Path> left = Files.list(dir)) {
                        assertTrue(
                                left.noneMatch(p -> p.getFileName().toString().startsWith(item.name())),
                                "temporary file left");
                    }
                }));
    }

    /** Images (decoded, or decoded and preprocessed): the CLI reads them through classify (ResizeBombsTest). */
    static boolean isImage(HostileCorpus.Item item) {
        return item.kind().equals("image") || item.kind().equals("preprocess");
    }

    /** The pickles that run `touch MARKER` in Python: refused, the marker never appears (library and CLI). */
    @Test
    void shellCommandNeverRuns() throws Exception {
        List<HostileCorpus.Item> exec = CORPUS.stream()
                .filter(i -> i.kind().equals("checkpoint")
                        && (i.name().startsWith("pickle_") || i.name().startsWith("legacy_"))
                        && i.exception().equals("UnsafeContentException"))
                .toList();
        assertTrue(exec.size() >= 10, "code-running pickles in the corpus: " + exec.size());
        Files.deleteIfExists(MARKER);
        for (HostileCorpus.Item item : exec) {
            assertThrows(ResNet4jException.class, () -> HostileCorpus.read(item));
            Main.execute(
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()),
                    "inspect",
                    item.file().toString());
            Main.execute(
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()),
                    "run",
                    "--arch",
                    "resnet18",
                    "--weights",
                    item.file().toString(),
                    "--input",
                    ROOT.resolve("testdata/golden/tiny_basic/input.npy").toString(),
                    "--output",
                    dir.resolve("never.npy").toString());
            assertFalse(Files.exists(MARKER), item.name() + " ran its command");
        }
        assertFalse(Files.exists(dir.resolve("never.npy")));
        // and the file really is hostile: Python's own loader runs the command
        if (PythonReference.available()) {
            Path f = HostileCorpus.dir(ROOT).resolve("pickle_os_system.pth");
            try {
                PythonReference.exec(
                        List.of(
                                PythonReference.PYTHON,
                                "-c",
                                "import torch, sys\ntry:\n    torch.load(sys.argv[1], weights_only=False)\nexcept TypeError:\n"
                                        + "    torch.load(sys.argv[1])",
                                f.toString()),
                        0);
                assertTrue(
                        Files.exists(MARKER), "torch.load should have run the command (else this test proves nothing)");
            } finally {
                Files.deleteIfExists(MARKER);
            }
        }
    }

    /** Every file in a JVM of -Xmx256m, twice over: no OutOfMemoryError, every file refused as the manifest says. */
    @Test
    void smallHeapReadsWholeCorpus() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                CorpusRunner.class.getName(),
                ROOT.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "corpus runner timed out");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("done, 0 wrong"), output);
    }

    /**
     * Measures the heap each hostile file makes the reader allocate (the thread's allocation counter,
     * an upper bound on its peak) against the file's size: the figure SECURITY.md states.
     */
    @Test
    void allocationIsBoundedByFileSize() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long worstOver = 0;
        String worst = "";
        StringBuilder table = new StringBuilder();
        for (HostileCorpus.Item item : CORPUS) {
            if (isImage(item) || item.isEngine()) {
                continue; // images: bounded by the pixel limit; engines: by the model and inputs (SECURITY.md)
            }
            long size = Files.size(item.file());
            long before = mx.getThreadAllocatedBytes(tid);
            try {
                HostileCorpus.read(item);
            } catch (ResNet4jException expected) {
                // measured either way
            }
            long used = mx.getThreadAllocatedBytes(tid) - before;
            long over = used - 4 * size;
            table.append(String.format(Locale.ROOT, "%-40s %9d bytes  allocated %11d%n", item.name(), size, used));
            if (over > worstOver) {
                worstOver = over;
                worst = item.name();
            }
        }
        System.out.print(table);
        System.out.println("largest allocation beyond 4 x file size: " + worstOver + " bytes (" + worst + ")");
        assertTrue(worstOver < 160L << 20, "allocation beyond 4 x file size: " + worstOver + " bytes in " + worst);
    }
}
