package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * Live: {@code embed} writes torchvision's embeddings ({@code model.fc = nn.Identity()}, from
 * tools/classify_reference.py --features) for a folder of images, on both engines: rows in the
 * sidecar's path order, within 1e-5 relative (max |ours - ref| / max |ref| per row). A file in the
 * folder that is not an image is named on standard error and skipped; the exit code is then 1 and
 * the others are still written.
 */
class EmbedLiveTest {
    static final double TOLERANCE = 1e-5;
    static final List<String> IMAGES =
            List.of("gray.png", "palette.png", "photo420.jpg", "rgb_tall.png", "rgb_wide.png");

    @TempDir
    static Path dir;

    static Path weights;
    static Path folder;
    static Tensor reference;

    @BeforeAll
    static void torchvision() throws Exception {
        PythonReference.require();
        PythonReference.run(
                "torch_reference.py",
                "--arch",
                "resnet18",
                "--seed",
                "5",
                "--batch",
                "1",
                "--height",
                "32",
                "--width",
                "32",
                "--out-dir",
                dir.toString(),
                "--no-timings");
        weights = dir.resolve("weights.pth");
        folder = Files.createDirectories(dir.resolve("images"));
        List<String> py = new ArrayList<>(List.of(
                "--arch",
                "resnet18",
                "--weights",
                weights.toString(),
                "--features",
                dir.resolve("ref.npy").toString()));
        for (String f : IMAGES) { // sorted names: the folder's order
            Path copy = folder.resolve(f);
            Files.copy(PythonReference.root().resolve("testdata/images").resolve(f), copy);
            py.add(copy.toString());
        }
        Files.writeString(folder.resolve("broken.jpg"), "not a JPEG");
        PythonReference.run("classify_reference.py", py.toArray(String[]::new));
        reference = Npy.read(dir.resolve("ref.npy"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ort", "java"})
    void embeddingsEqualTorchvisionsWithFcIdentity(String engine) throws Exception {
        Path out = dir.resolve("features-" + engine + ".npy");
        StringWriter so = new StringWriter();
        StringWriter se = new StringWriter();
        int code = Main.execute(
                new PrintWriter(so),
                new PrintWriter(se),
                "embed",
                "--weights",
                weights.toString(),
                "--engine",
                engine,
                "--threads",
                "2",
                "--batch",
                "2",
                "--json",
                "--out",
                out.toString(),
                folder.toString());
        assertEquals(1, code, se.toString());
        assertTrue(se.toString().contains("skipped " + folder.resolve("broken.jpg")), se.toString());

        JsonNode sidecar = new ObjectMapper()
                .readTree(dir.resolve("features-" + engine + ".json").toFile());
        JsonNode printed = new ObjectMapper().readTree(so.toString());
        assertEquals(sidecar.get("images"), printed.get("images"));
        assertEquals(1, printed.get("errors").size());
        List<String> paths = new ArrayList<>();
        sidecar.get("images").forEach(n -> paths.add(n.asText()));
        List<String> expected =
                IMAGES.stream().map(f -> folder.resolve(f).toString()).toList();
        assertEquals(expected, paths);

        Tensor ours = Npy.read(out);
        assertEquals(List.of(IMAGES.size(), 512), List.of(ours.dim(0), ours.dim(1)));
        float[] a = ours.toArray();
        float[] b = reference.toArray();
        double worst = 0;
        for (int r = 0; r < IMAGES.size(); r++) {
            double diff = 0;
            double max = 0;
            for (int j = 0; j < 512; j++) {
                diff = Math.max(diff, Math.abs(a[r * 512 + j] - b[r * 512 + j]));
                max = Math.max(max, Math.abs(b[r * 512 + j]));
            }
            double rel = diff / max;
            assertTrue(rel <= TOLERANCE, IMAGES.get(r) + " (" + engine + "): relative error " + rel);
            worst = Math.max(worst, rel);
        }
        System.out.printf(
                Locale.ROOT,
                "embed (%s) vs torchvision fc=Identity (resnet18, %d images): max relative error %.2e%n",
                engine,
                IMAGES.size(),
                worst);
    }

    /** The features and their path list are committed together: a sidecar that cannot be written leaves neither. */
    @org.junit.jupiter.api.Test
    void featuresAreNotWrittenWithoutTheirPathList() throws Exception {
        Path out = dir.resolve("pair.npy");
        Path sidecar = Files.createDirectories(dir.resolve("pair.json")); // a folder: refused as a target
        StringWriter se = new StringWriter();
        int code = Main.execute(
                new PrintWriter(new StringWriter()),
                new PrintWriter(se),
                "embed",
                "--weights",
                weights.toString(),
                "--out",
                out.toString(),
                folder.toString());
        assertEquals(1, code, se.toString());
        assertTrue(
                se.toString().contains("error: output " + sidecar + " exists and is not a regular file"),
                se.toString());
        assertTrue(!Files.exists(out), "the features must not be written without their path list");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "a temporary file stayed");
        }
    }
}
