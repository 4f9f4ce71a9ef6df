package org.resnet4j.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException;
import org.resnet4j.cli.Main;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.vision.ImageLoader;
import org.resnet4j.vision.Labels;
import org.resnet4j.weights.CheckpointLoader;

/**
 * Checkpoint bombs: the round-2 corpus cases ({@code r2-ckpt-*}, tools/make_hostile_corpus.py)
 * are refused quickly (a tuple DAG key hashed naively takes 2^100 steps; 300,000 {@code module.}
 * prefixes were stripped in quadratic time), through the library and through the CLI in a
 * 256 MiB JVM (a 60 MiB str, 3 Mi objects in safetensors metadata); a 25-digit Hugging Face index
 * is an error, not exit 3; FIFOs given as checkpoint, spec, labels or image are refused without
 * blocking.
 */
class CheckpointBombsTest {
    static final Path ROOT = PythonReference.root();
    static final Path GOLDEN = ROOT.resolve("testdata/golden/tiny_basic");
    static final List<HostileCorpus.Item> CASES = HostileCorpus.load(ROOT).stream()
            .filter(i -> i.name().startsWith("r2-ckpt-"))
            .toList();
    /** Far beyond what any of these files needs once fixed (each takes well under a second), far below a hang. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    @BeforeAll
    static void enoughCases() {
        assertTrue(CASES.size() >= 10, "round-2 checkpoint cases: " + CASES.size());
    }

    @TestFactory
    Stream<DynamicTest> libraryRefusesQuickly() {
        return CASES.stream()
                .map(item -> DynamicTest.dynamicTest(item.name(), () -> {
                    ResNet4jException e = assertTimeoutPreemptively(
                            DEADLINE,
                            () -> assertThrows(ResNet4jException.class, () -> CheckpointLoader.load(item.file())),
                            item.name());
                    assertEquals(item.exception(), e.getClass().getSimpleName(), item.name() + ": " + e.getMessage());
                    assertTrue(e.getMessage().contains(item.file().toString()), e.getMessage());
                    assertTrue(
                            e.getMessage()
                                    .toLowerCase(Locale.ROOT)
                                    .contains(item.reason().toLowerCase(Locale.ROOT)),
                            item.name() + ": message lacks '" + item.reason() + "': " + e.getMessage());
                    assertTrue(
                            e.getMessage().length() < 2000,
                            "message of " + e.getMessage().length() + " characters");
                }));
    }

    /** export in a 256 MiB JVM: one error line naming the file, exit 1, no .onnx left behind. */
    @TestFactory
    Stream<DynamicTest> cliRefusesInSmallHeap() {
        return CASES.stream()
                .map(item -> DynamicTest.dynamicTest(item.name(), () -> {
                    Path out = dir.resolve(item.name() + ".onnx");
                    ChildCli.Result r = ChildCli.run(
                            DEADLINE.toSeconds(),
                            "export",
                            "--arch",
                            "resnet18",
                            "--weights",
                            item.file().toString(),
                            "--out",
                            out.toString());
                    r.assertOneErrorLine(item.name());
                    assertTrue(r.err().contains(item.file().toString()), r.err());
                    assertFalse(Files.exists(out), "output left");
                }));
    }

    /** A safetensors header of 3 Mi objects (9.4 MB): a JSON tree of it took 335 MiB. */
    static Path metadataBomb(String name, boolean inMetadata) throws IOException {
        Path f = dir.resolve(name);
        int n = 3 << 20;
        StringBuilder h = new StringBuilder(n * 3 + 200);
        h.append(
                inMetadata
                        ? "{\"__metadata__\":{\"x\":["
                        : "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":[");
        for (int i = 0; i < n; i++) {
            h.append(i == 0 ? "{}" : ",{}");
        }
        h.append(inMetadata ? "]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}" : "]}}");
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream o = Files.newOutputStream(f)) {
            o.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length)
                    .array());
            o.write(header);
            o.write(new byte[4]);
        }
        return f;
    }

    @Test
    void metadataOfThreeMebiObjectsIsRefusedInSmallHeap() throws Exception {
        Path f = metadataBomb("meta3mi.safetensors", true);
        ChildCli.Result r = ChildCli.run(DEADLINE.toSeconds(), "inspect", f.toString());
        r.assertOneErrorLine("3 Mi objects in __metadata__");
        assertContains(r.err(), "metadata is str to str", f.toString());
    }

    /** Fields the format does not define are skipped as a stream: a valid file with 3 Mi of them loads in 256 MiB. */
    @Test
    void unknownFieldOfThreeMebiObjectsIsSkippedInSmallHeap() throws Exception {
        Path f = metadataBomb("field3mi.safetensors", false);
        ChildCli.Result r = ChildCli.run(DEADLINE.toSeconds(), "inspect", "--json", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"w\""), r.out());
    }

    // ---- FIFOs: refused before they are opened (opening one blocks until a writer comes)

    static Path fifo(String name) throws Exception {
        Path f = dir.resolve(name);
        Files.deleteIfExists(f);
        Process p = new ProcessBuilder("mkfifo", f.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo");
        return f;
    }

    @Test
    void fifoIsRefusedByTheLibrary() throws Exception {
        for (String name : List.of("w.pth", "w.safetensors")) {
            Path f = fifo(name);
            ResNet4jException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(20),
                    () -> assertThrows(ResNet4jException.class, () -> CheckpointLoader.load(f)));
            assertTrue(e.getMessage().contains(f + " is not a regular file (a FIFO)"), e.getMessage());
        }
        Path spec = fifo("spec.json");
        assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> assertThrows(ResNet4jException.class, () -> SpecJson.read(spec)));
        Path labels = fifo("labels.txt");
        assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> assertThrows(ResNet4jException.class, () -> Labels.read(labels)));
        Path image = fifo("image.png");
        assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> assertThrows(ResNet4jException.class, () -> ImageLoader.load(image)));
    }

    @Test
    void fifoIsRefusedByTheCli() throws Exception {
        Path w = fifo("cli.pth");
        Path out = dir.resolve("fifo.onnx");
        String spec = GOLDEN.resolve("spec.json").toString();
        String weights = GOLDEN.resolve("weights.pth").toString();
        List<String[]> commands = List.of(
                new String[] {"inspect", w.toString()},
                new String[] {"export", "--arch", "resnet18", "--weights", w.toString(), "--out", out.toString()},
                new String[] {"export", "--weights", w.toString(), "--out", out.toString()},
                new String[] {
                    "export", "--spec", fifo("cli-spec.json").toString(), "--weights", weights, "--out", out.toString()
                },
                new String[] {
                    "classify",
                    "--spec",
                    spec,
                    "--weights",
                    weights,
                    "--labels",
                    fifo("cli-labels.txt").toString(),
                    ROOT.resolve("testdata/images/rgb_tiny.png").toString()
                });
        for (String[] args : commands) {
            StringWriter o = new StringWriter();
            StringWriter e = new StringWriter();
            int code = assertTimeoutPreemptively(
                    Duration.ofSeconds(20),
                    () -> Main.execute(new PrintWriter(o), new PrintWriter(e), args),
                    String.join(" ", args));
            String err = e.toString();
            assertEquals(1, code, String.join(" ", args) + ": " + err);
            assertTrue(
                    err.startsWith("error: ") && err.strip().lines().count() == 1 && err.contains("(a FIFO)"),
                    String.join(" ", args) + ": " + err);
            assertTrue(o.toString().isEmpty(), o.toString());
            assertFalse(Files.exists(out));
        }
    }
}
