package org.resnet4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.cli.Main;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * Live, on local[2]: the batch job gives torchvision's answer for photo-like JPEGs made by
 * tools/make_images.py, with a seeded random torchvision resnet18 (tools/torch_reference.py) and
 * torchvision's own transforms and model (tools/classify_reference.py): the same top-5 with
 * probabilities within 1e-4, and embeddings ({@code fc = Identity}) within 1e-5 relative per row.
 * The embed rows also equal {@code resnet4j embed} on the same images and engine.
 */
class SparkLiveTest {
    static final double PROBABILITY_TOLERANCE = 1e-4;
    static final double EMBEDDING_TOLERANCE = 1e-5;
    static final int COUNT = 6;

    @TempDir
    static Path dir;

    static Path weights;
    static Path images;
    static List<String> files;
    static JsonNode referenceTop;
    static Tensor referenceFeatures;

    @BeforeAll
    static void torchvision() throws Exception {
        PythonReference.require();
        SparkSessions.local();
        PythonReference.run(
                "torch_reference.py",
                "--arch",
                "resnet18",
                "--seed",
                "13",
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
        images = dir.resolve("images");
        PythonReference.run(
                "make_images.py",
                "--count",
                String.valueOf(COUNT),
                "--width",
                "200",
                "--height",
                "150",
                "--seed",
                "3",
                "--out-dir",
                images.toString());
        try (Stream<Path> walk = Files.walk(images)) {
            files = walk.filter(Files::isRegularFile)
                    .map(Path::toString)
                    .sorted()
                    .toList();
        }
        assertEquals(COUNT, files.size());
        PythonReference.Classified ref = PythonReference.classify("resnet18", weights, 5, files, dir);
        referenceTop = ref.results();
        referenceFeatures = ref.features();
    }

    static Map<String, Row> run(String mode, Path output) {
        BatchJobTest.Run run = BatchJobTest.job(
                "--master",
                "local[2]",
                "--weights",
                weights.toString(),
                "--input",
                images.toString(),
                "--output",
                output.toString(),
                "--mode",
                mode,
                "--arch",
                "resnet18",
                "--batch",
                "4");
        assertEquals(0, run.code(), run.err());
        Map<String, Row> byPath = new HashMap<>();
        for (Row r : SparkSessions.local().read().parquet(output.toString()).collectAsList()) {
            String path = Path.of(java.net.URI.create(r.getAs("path"))).toString();
            assertNull(byPath.put(path, r), "each file once");
            assertNull(r.getAs("error"), path);
        }
        assertEquals(COUNT, byPath.size());
        return byPath;
    }

    @Test
    void classifyRowsHaveTorchvisionsTop5() {
        Map<String, Row> rows = run("classify", dir.resolve("top"));
        double worst = 0;
        for (JsonNode ref : referenceTop) {
            String image = ref.get("image").asText();
            List<Row> top = rows.get(image).getList(rows.get(image).fieldIndex("top"));
            assertEquals(5, top.size());
            for (int k = 0; k < 5; k++) {
                JsonNode want = ref.get("top").get(k);
                assertEquals(want.get("index").asInt(), (int) top.get(k).getAs("index"), image + " rank " + k);
                double d = Math.abs(
                        want.get("probability").asDouble() - (float) top.get(k).getAs("probability"));
                worst = Math.max(worst, d);
                assertTrue(d <= PROBABILITY_TOLERANCE, image + " rank " + k + ": probability differs by " + d);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "BatchJob classify vs torchvision (resnet18, %d JPEGs, local[2]): same top-5, "
                        + "max probability difference %.2e%n",
                COUNT,
                worst);
    }

    @Test
    void embedRowsEqualTorchvisionAndTheEmbedCommand() throws Exception {
        Map<String, Row> rows = run("embed", dir.resolve("features"));
        Path npy = dir.resolve("cli.npy");
        List<String> cli = new ArrayList<>(List.of(
                "embed",
                "--weights",
                weights.toString(),
                "--arch",
                "resnet18",
                "--threads",
                "1",
                "--out",
                npy.toString()));
        cli.add(images.toString());
        StringWriter err = new StringWriter();
        assertEquals(
                0,
                Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), cli.toArray(String[]::new)),
                err.toString());
        float[] command = Npy.read(npy).toArray();
        float[] ref = referenceFeatures.toArray();
        int d = referenceFeatures.dim(1);
        double worstRef = 0;
        double worstCli = 0;
        for (int i = 0; i < files.size(); i++) {
            List<Float> row =
                    rows.get(files.get(i)).getList(rows.get(files.get(i)).fieldIndex("embedding"));
            assertEquals(d, row.size());
            double diffRef = 0;
            double diffCli = 0;
            double max = 0;
            for (int j = 0; j < d; j++) {
                diffRef = Math.max(diffRef, Math.abs(row.get(j) - ref[i * d + j]));
                diffCli = Math.max(diffCli, Math.abs(row.get(j) - command[i * d + j]));
                max = Math.max(max, Math.abs(ref[i * d + j]));
            }
            worstRef = Math.max(worstRef, diffRef / max);
            worstCli = Math.max(worstCli, diffCli / max);
            assertTrue(diffRef / max <= EMBEDDING_TOLERANCE, files.get(i) + ": relative error " + diffRef / max);
            assertTrue(
                    diffCli / max <= BatchJobTest.SAME_ENGINE_TOLERANCE,
                    files.get(i) + ": differs from embed by " + diffCli / max);
        }
        System.out.printf(
                Locale.ROOT,
                "BatchJob embed (resnet18, %d JPEGs, local[2]): max relative error %.2e vs torchvision "
                        + "fc=Identity, %.2e vs the embed command%n",
                COUNT,
                worstRef,
                worstCli);
    }
}
