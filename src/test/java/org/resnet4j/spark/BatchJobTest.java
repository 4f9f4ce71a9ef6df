package org.resnet4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.cli.Main;
import org.resnet4j.testing.PythonReference;

/**
 * The batch job on local[2] with the small golden model (testdata/golden/tiny_basic, 5 classes):
 * its rows equal {@code resnet4j classify --json} on the same files and engine; broken files give
 * error rows; hidden and non-image files are skipped; an existing output, missing or invalid weights
 * are refused with one {@code error:} line before any task, and nothing is written.
 */
class BatchJobTest {
    static final Path WEIGHTS = PythonReference.root().resolve("testdata/golden/tiny_basic/weights.pth");
    static final List<String> IMAGES = List.of(
            "photo420.jpg", "rgb_wide.png", "palette.png", "gray.png", "rgba.png", "progressive.jpg", "lossless.webp");
    /** Same engine, same preprocessing; only the batch composition differs from the CLI's. */
    static final double SAME_ENGINE_TOLERANCE = 1e-6;

    @TempDir
    static Path dir;

    static Path input;

    @BeforeAll
    static void images() throws IOException {
        SparkSessions.local();
        input = dir.resolve("photos");
        Path images = PythonReference.root().resolve("testdata/images");
        for (int i = 0; i < IMAGES.size(); i++) {
            Path to = input.resolve("shelf" + (i % 2)).resolve("box" + (i % 3)).resolve(IMAGES.get(i));
            Files.createDirectories(to.getParent());
            Files.copy(images.resolve(IMAGES.get(i)), to);
        }
        Path faults = input.resolve("faults");
        Files.createDirectories(faults.resolve(".cache"));
        Files.write(faults.resolve("empty.jpg"), new byte[0]);
        byte[] jpeg = Files.readAllBytes(images.resolve("photo420.jpg"));
        Files.write(faults.resolve("truncated.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length * 4 / 10));
        Files.writeString(faults.resolve("not_an_image.png"), "these are notes, not pixels\n");
        Files.write(faults.resolve("bomb.png"), org.resnet4j.testing.TestImages.pngHeaderOnly(20000, 20000));
        // skipped: hidden, in a hidden folder, not an image extension
        Files.write(faults.resolve(".hidden.jpg"), jpeg);
        Files.write(faults.resolve(".cache").resolve("thumb.jpg"), jpeg);
        Files.writeString(faults.resolve("notes.txt"), "not an image\n");
        // skipped as classify skips them: a FIFO with an image's name (opening it would block a task for
        // ever) and a link back up the tree (Spark's own listing followed it without end)
        mkfifo(faults.resolve("pipe.jpg"));
        Files.createSymbolicLink(faults.resolve("loop"), input);
    }

    static void mkfifo(Path p) throws IOException {
        try {
            assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).start().waitFor());
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    static final List<String> BROKEN = List.of("empty.jpg", "truncated.jpg", "not_an_image.png", "bomb.png");

    record Run(int code, String out, String err) {}

    static Run job(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BatchJob.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    static List<String> args(Path output, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "--master",
                "local[2]",
                "--weights",
                WEIGHTS.toString(),
                "--input",
                input.toString(),
                "--output",
                output.toString(),
                "--mode",
                "classify"));
        a.addAll(List.of(extra));
        return a;
    }

    /** The file name of a Spark path (file:/...) or a local path. */
    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ort", "java"})
    @org.junit.jupiter.api.Timeout(300)
    void rowsEqualClassifyJson(String engine) throws Exception {
        Path output = dir.resolve("out-" + engine);
        Run run = job(args(output, "--engine", engine, "--top", "3", "--batch", "3", "--format", "json")
                .toArray(String[]::new));
        assertEquals(0, run.code(), run.err());

        SparkSession spark = SparkSessions.local();
        List<Row> rows = spark.read()
                .schema(BatchJob.schema(Mode.CLASSIFY))
                .json(output.toString())
                .collectAsList();
        assertEquals(
                IMAGES.size() + BROKEN.size(), rows.size(), "one row per image file, hidden and .txt skipped: " + rows);
        Map<String, Row> byName = new TreeMap<>();
        for (Row r : rows) {
            assertNull(byName.put(name(r.getAs("path")), r), "each file once");
        }
        for (String broken : BROKEN) {
            Row r = byName.get(broken);
            String error = r.getAs("error");
            assertTrue(error != null && error.contains(broken), broken + ": " + error);
            assertNull(r.getAs("top"), broken);
        }

        List<String> cli = new ArrayList<>(List.of(
                "classify",
                "--weights",
                WEIGHTS.toString(),
                "--engine",
                engine,
                "--top",
                "3",
                "--json",
                "--threads",
                "1"));
        cli.add(input.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(
                1,
                Main.execute(new PrintWriter(out), new PrintWriter(err), cli.toArray(String[]::new)),
                "broken files fail classify");
        JsonNode results = new ObjectMapper().readTree(out.toString()).get("results");
        assertEquals(IMAGES.size(), results.size());
        double worst = 0;
        for (JsonNode res : results) {
            String file = name(res.get("image").asText());
            Row r = byName.get(file);
            assertNull(r.getAs("error"), file);
            List<Row> top = r.getList(r.fieldIndex("top"));
            assertEquals(3, top.size());
            for (int i = 0; i < 3; i++) {
                JsonNode want = res.get("top").get(i);
                Row got = top.get(i);
                assertEquals(
                        want.get("index").asLong(), ((Number) got.getAs("index")).longValue(), file + " rank " + i);
                assertEquals(want.get("label").asText(), got.getAs("label"));
                double d = Math.abs(
                        want.get("probability").asDouble() - ((Number) got.getAs("probability")).doubleValue());
                worst = Math.max(worst, d);
                assertTrue(d <= SAME_ENGINE_TOLERANCE, file + " rank " + i + ": probability differs by " + d);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "BatchJob vs classify --json (%s, %d images): same top-3, max probability difference %.2e%n",
                engine,
                results.size(),
                worst);
    }

    @Test
    void parquetByDefaultAndExistingOutputRefused() throws Exception {
        Path output = dir.resolve("out-parquet");
        Run first = job(args(output, "--partitions", "3").toArray(String[]::new));
        assertEquals(0, first.code(), first.err());
        assertTrue(Files.exists(output.resolve("_SUCCESS")));
        Dataset<Row> parquet = SparkSessions.local().read().parquet(output.toString());
        assertEquals(List.of("path", "top", "error"), List.of(parquet.schema().fieldNames()));
        List<Row> rows = parquet.collectAsList();
        assertEquals(IMAGES.size() + BROKEN.size(), rows.size());
        try (var siblings = Files.list(dir)) {
            assertFalse(
                    siblings.anyMatch(p -> p.getFileName().toString().contains(".resnet4j-")),
                    "temporary folder left behind");
        }

        Path existing = dir.resolve("existing");
        Files.createDirectories(existing);
        Files.writeString(existing.resolve("keep.txt"), "mine");
        Run second = job(args(existing).toArray(String[]::new));
        assertEquals(1, second.code());
        assertOneErrorLine(second.err(), "already exists");
        try (var left = Files.list(existing)) {
            assertEquals(List.of(existing.resolve("keep.txt")), left.toList());
        }
        assertEquals("mine", Files.readString(existing.resolve("keep.txt")));
    }

    @Test
    void missingOrInvalidWeightsFailOnTheDriver() throws Exception {
        Path output = dir.resolve("never");
        List<String> missing = args(output);
        missing.set(missing.indexOf("--weights") + 1, dir.resolve("nope.pth").toString());
        Run a = job(missing.toArray(String[]::new));
        assertEquals(1, a.code());
        assertOneErrorLine(a.err(), "nope.pth");

        Path garbage = dir.resolve("garbage.pth");
        Files.writeString(garbage, "not a checkpoint at all");
        List<String> invalid = args(output);
        invalid.set(invalid.indexOf("--weights") + 1, garbage.toString());
        Run b = job(invalid.toArray(String[]::new));
        assertEquals(1, b.code());
        assertOneErrorLine(b.err(), "garbage.pth");
        assertFalse(Files.exists(output));
    }

    /** A FIFO named as the input gets its error row at once: the task never opens it. */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aFifoAsTheInputGetsAnErrorRow() throws Exception {
        Path fifo = dir.resolve("named-pipe.png");
        mkfifo(fifo);
        List<String> a = args(dir.resolve("out-fifo"), "--format", "json");
        a.set(a.indexOf("--input") + 1, fifo.toString());
        Run run = job(a.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        List<Row> rows = SparkSessions.local()
                .read()
                .schema(BatchJob.schema(Mode.CLASSIFY))
                .json(dir.resolve("out-fifo").toString())
                .collectAsList();
        assertEquals(1, rows.size());
        String error = rows.get(0).getAs("error");
        assertTrue(error != null && error.contains("is not a regular file (a FIFO)"), String.valueOf(error));
    }

    /** Scratch folders of a run that was killed outright are removed by the next run; a live run's are kept. */
    @Test
    void scratchFoldersOfEndedRunsAreSwept() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp-root"));
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path orphan = tmp.resolve(LocalScratch.PREFIX + ended.pid());
        Files.createDirectories(orphan.resolve("blockmgr-1").resolve("0c"));
        Files.writeString(orphan.resolve("blockmgr-1").resolve("0c").resolve("shuffle_0.data"), "x");
        Path outside = Files.createDirectories(dir.resolve("not-scratch"));
        Files.writeString(outside.resolve("keep.txt"), "mine");
        Files.createSymbolicLink(orphan.resolve("link-out"), outside);
        Path live = Files.createDirectories(
                tmp.resolve(LocalScratch.PREFIX + ProcessHandle.current().pid()));
        Path other = Files.createDirectories(tmp.resolve("spark-unrelated"));
        LocalScratch.sweep(tmp);
        assertFalse(Files.exists(orphan), "an ended run's folder stays");
        assertTrue(Files.exists(live) && Files.exists(other));
        assertEquals("mine", Files.readString(outside.resolve("keep.txt")), "a link was followed");
    }

    static void assertOneErrorLine(String err, String expected) {
        List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains(expected), err);
    }
}
