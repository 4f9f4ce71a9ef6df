package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.testing.TestImages;
import org.resnet4j.vision.Preprocessing;
import org.resnet4j.weights.Npy;

/**
 * {@code classify} on the small golden model (5 classes, RGB input): output shapes, the saved
 * input, skipped files and the exit code, labels. The torchvision comparison is in
 * {@link ClassifyLiveTest}.
 */
class ClassifyCommandTest {
    static final Path ROOT = PythonReference.root();
    static final Path GOLDEN = ROOT.resolve("testdata/golden/tiny_basic");
    static final Path IMAGES = ROOT.resolve("testdata/images");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    static List<String> model(String... more) {
        List<String> a = new ArrayList<>(List.of(
                "classify",
                "--spec",
                GOLDEN.resolve("spec.json").toString(),
                "--weights",
                GOLDEN.resolve("weights.pth").toString(),
                "--threads",
                "1"));
        a.addAll(List.of(more));
        return a;
    }

    static Result classify(List<String> args) {
        return cli(args.toArray(String[]::new));
    }

    static String img(String name) {
        return IMAGES.resolve(name).toString();
    }

    @Test
    void jsonShapeAndSavedInput() throws Exception {
        Path x = dir.resolve("x.npy");
        Result r = classify(model(
                "--json",
                "--top",
                "3",
                "--batch",
                "2",
                "--save-input",
                x.toString(),
                img("rgb_wide.png"),
                img("photo420.jpg"),
                img("gray.png")));
        assertEquals(0, r.code, r.err);
        JsonNode j = JSON.readTree(r.out);
        JsonNode results = j.get("results");
        assertEquals(3, results.size());
        assertEquals(0, j.get("errors").size());
        assertEquals(img("rgb_wide.png"), results.get(0).get("image").asText());
        assertEquals(img("gray.png"), results.get(2).get("image").asText());
        for (JsonNode res : results) {
            JsonNode top = res.get("top");
            assertEquals(3, top.size());
            double prev = 1.0;
            for (JsonNode t : top) {
                int index = t.get("index").asInt();
                assertTrue(index >= 0 && index < 5, t.toString());
                assertEquals("class " + index, t.get("label").asText());
                double p = t.get("probability").asDouble();
                assertTrue(p > 0 && p <= prev, t.toString());
                prev = p;
            }
        }
        // the saved input is the vision package's preprocessing, batched in output order
        Preprocessing pre = TestImages.imagenet(256);
        Tensor expected = Preprocessing.batch(List.of(
                pre.apply(Path.of(img("rgb_wide.png"))),
                pre.apply(Path.of(img("photo420.jpg"))),
                pre.apply(Path.of(img("gray.png")))));
        Tensor saved = Npy.read(x);
        assertArrayEquals(new int[] {3, 3, 224, 224}, saved.shape());
        assertArrayEquals(expected.toArray(), saved.toArray());
    }

    @Test
    void javaEngineGivesTheSameAnswer() throws Exception {
        Result ort = classify(model("--json", "--top", "5", img("rgb_wide.png"), img("palette.png")));
        Result java =
                classify(model("--json", "--top", "5", "--engine", "java", img("rgb_wide.png"), img("palette.png")));
        assertEquals(0, java.code, java.err);
        JsonNode a = JSON.readTree(ort.out).get("results");
        JsonNode b = JSON.readTree(java.out).get("results");
        for (int i = 0; i < a.size(); i++) {
            for (int k = 0; k < 5; k++) {
                JsonNode x = a.get(i).get("top").get(k);
                JsonNode y = b.get(i).get("top").get(k);
                assertEquals(x.get("index").asInt(), y.get("index").asInt(), a + "\n" + b);
                assertEquals(
                        x.get("probability").asDouble(), y.get("probability").asDouble(), 1e-5);
            }
        }
        Result cuda = classify(model("--engine", "java", "--device", "cuda", img("palette.png")));
        assertEquals(1, cuda.code);
        assertTrue(cuda.err.contains("the Java engine runs on the CPU only"), cuda.err);
    }

    @Test
    void textOutputAndV2Preset() {
        Result r = classify(model("--preset", "v2", "--top", "2", img("rgb_tall.png")));
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.split("\n");
        assertEquals(3, lines.length, r.out);
        assertEquals(img("rgb_tall.png"), lines[0]);
        assertTrue(lines[1].matches("\\s+\\d+\\.\\d\\d%\\s+\\d\\s+class \\d"), lines[1]);
        assertTrue(r.err.isEmpty(), r.err);
    }

    @Test
    void nonImageFilesAreReportedByNameAndSkipped() throws Exception {
        Path folder = dir.resolve("photos");
        Files.createDirectories(folder.resolve("sub"));
        Files.copy(IMAGES.resolve("rgb_tiny.png"), folder.resolve("b.png"));
        Files.copy(IMAGES.resolve("photo444.jpg"), folder.resolve("sub/a.JPG"));
        Files.writeString(folder.resolve("broken.png"), "not a png at all");
        Files.writeString(folder.resolve("notes.txt"), "ignored in folders: not an image extension");
        Path text = dir.resolve("readme.txt");
        Files.writeString(text, "given explicitly, so tried");
        Path missing = dir.resolve("missing.png");

        Result r = classify(model("--json", text.toString(), folder.toString(), missing.toString()));
        assertEquals(1, r.code, r.err);
        JsonNode j = JSON.readTree(r.out);
        List<String> images = new ArrayList<>();
        j.get("results").forEach(n -> images.add(n.get("image").asText()));
        // folder contents sorted by path, non-image extensions ignored, failures left out
        assertEquals(
                List.of(
                        folder.resolve("b.png").toString(),
                        folder.resolve("sub/a.JPG").toString()),
                images);
        List<String> failed = new ArrayList<>();
        j.get("errors").forEach(n -> failed.add(n.get("image").asText()));
        assertEquals(List.of(text.toString(), folder.resolve("broken.png").toString(), missing.toString()), failed);
        for (String f : failed) {
            assertTrue(r.err.contains("skipped " + f) || r.err.contains(f), r.err);
        }
        assertTrue(r.err.contains("3 of 5 inputs failed"), r.err);
        assertFalse(r.err.contains("notes.txt"), r.err);
        assertFalse(r.err.contains("Exception"), r.err);
    }

    @Test
    void progressBarForMoreThanAHandful() {
        List<String> args = model("--batch", "4", "--top", "1");
        for (String f : List.of(
                "rgb_wide.png",
                "rgb_tall.png",
                "rgb_tiny.png",
                "gray.png",
                "palette.png",
                "rgba.png",
                "bilevel.png",
                "gray_alpha.png",
                "rgb.bmp",
                "anim.gif")) {
            args.add(img(f));
        }
        Result r = classify(args);
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("10/10 images"), r.err);
        assertEquals(20, r.out.split("\n").length, r.out);
    }

    @Test
    void labelsFileIsUsedAndItsCountChecked() throws Exception {
        Path good = dir.resolve("good.txt");
        Files.writeString(good, "zero\none\ntwo\nthree\nfour\n");
        Result r = classify(model("--json", "--labels", good.toString(), img("gray.png")));
        assertEquals(0, r.code, r.err);
        JsonNode top = JSON.readTree(r.out).get("results").get(0).get("top");
        List<String> names = List.of("zero", "one", "two", "three", "four");
        for (JsonNode t : top) {
            assertEquals(names.get(t.get("index").asInt()), t.get("label").asText());
        }

        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "a\nb\nc\n");
        r = classify(model("--labels", bad.toString(), img("gray.png")));
        assertEquals(1, r.code);
        assertEquals("error: labels file " + bad + " has 3 class names, the model has 5 classes", r.err.strip());
        assertTrue(r.out.isEmpty(), r.out);
    }

    @Test
    void userErrors() throws Exception {
        Result r = cli("classify", img("gray.png"));
        assertEquals(1, r.code);
        assertTrue(r.err.contains("give either --model FILE.onnx or --weights FILE"), r.err);

        r = classify(model("--preset", "v3", img("gray.png")));
        assertEquals(1, r.code);
        assertTrue(r.err.contains("unknown preset 'v3'"), r.err);

        r = classify(model("--engine", "tpu", img("gray.png")));
        assertEquals(1, r.code);
        assertTrue(r.err.contains("unknown engine 'tpu', expected one of ort, java"), r.err);

        Path empty = Files.createDirectories(dir.resolve("empty"));
        r = classify(model(empty.toString()));
        assertEquals(1, r.code);
        assertTrue(r.err.contains("no image files"), r.err);

        // the digits model takes 1-channel 8x8 images: refused before any image is run
        r = cli(
                "classify",
                "--weights",
                ROOT.resolve("testdata/digits/model.pth").toString(),
                img("gray.png"));
        assertEquals(1, r.code);
        assertTrue(r.err.contains("takes 1-channel input; images are RGB (3 channels)"), r.err);
    }

    @Test
    void onnxModelFileAndNothingSavedWhenAllFail() throws Exception {
        Path onnx = dir.resolve("m.onnx");
        assertEquals(
                0,
                cli(
                                "export",
                                "--spec",
                                GOLDEN.resolve("spec.json").toString(),
                                "--weights",
                                GOLDEN.resolve("weights.pth").toString(),
                                "--out",
                                onnx.toString())
                        .code);
        Result viaOnnx = cli("classify", "--model", onnx.toString(), "--json", img("rgba.png"));
        Result viaWeights = classify(model("--json", img("rgba.png")));
        assertEquals(0, viaOnnx.code, viaOnnx.err);
        assertEquals(JSON.readTree(viaWeights.out), JSON.readTree(viaOnnx.out));

        Path junk = dir.resolve("junk.jpg");
        Files.write(junk, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0});
        Path x = dir.resolve("x.npy");
        Result r = cli("classify", "--model", onnx.toString(), "--save-input", x.toString(), junk.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains(junk.toString()), r.err);
        assertFalse(Files.exists(x));
    }

    /**
     * Labels and file names come from files an attacker may write: in the text output an ESC sequence,
     * a BEL, U+2028 or a newline is printed escaped (no forged line, no terminal control), and the JSON
     * output stays JSON with the same names in it, non-ASCII escaped.
     */
    @Test
    void labelsAndFileNamesNeverReachTheTerminalRaw() throws Exception {
        Path labels = dir.resolve("labels.txt");
        String hostile = "cat\u001b]0;owned\u0007\u2028x";
        Files.writeString(labels, String.join("\n", hostile, hostile, hostile, hostile, hostile) + "\n");
        Path image = dir.resolve("a\nerror: forged.png");
        Files.copy(IMAGES.resolve("rgb_wide.png"), image);
        Result r = classify(model("--labels", labels.toString(), "--top", "1", image.toString()));
        assertEquals(0, r.code, r.err);
        for (char c : r.out.toCharArray()) {
            assertTrue(c == '\n' || c >= 0x20 && c != 0x7f && c != 0x2028, "raw control 0x" + Integer.toHexString(c));
        }
        assertEquals(2, r.out.lines().count(), r.out); // the name, its top-1 line; nothing forged
        assertTrue(r.out.contains("a\\nerror: forged.png"), r.out);
        assertTrue(r.out.contains("cat\\x1b]0;owned\\x07\\u2028x"), r.out);
        Result j = classify(model("--labels", labels.toString(), "--top", "1", "--json", image.toString()));
        assertEquals(0, j.code, j.err);
        for (char c : j.out.toCharArray()) {
            assertTrue(c == '\n' || c >= 0x20 && c < 0x7f, "JSON keeps a raw 0x" + Integer.toHexString(c));
        }
        JsonNode top = JSON.readTree(j.out).get("results").get(0);
        assertEquals(image.toString(), top.get("image").asText());
        assertEquals(hostile, top.get("top").get(0).get("label").asText());
    }
}
