package org.resnet4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.Prediction;
import org.resnet4j.ResNetModel;
import org.resnet4j.testing.PythonReference;

/**
 * The Transformer over Spark's binaryFile source (local[2], the small golden model): classify rows
 * equal {@link ResNetModel#classify} on each file; embed mode adds {@code embedding}; a broken file
 * gets an error row; it runs inside a Pipeline and survives Spark ML save and load with its params.
 */
class ResNetTransformerTest {
    static final Path WEIGHTS = PythonReference.root().resolve("testdata/golden/tiny_basic/weights.pth");
    static final List<String> IMAGES = List.of("photo420.jpg", "rgb_wide.png", "palette.png", "gray.png", "rgba.png");

    @TempDir
    static Path dir;

    static Dataset<Row> files;

    @BeforeAll
    static void images() throws Exception {
        SparkSession spark = SparkSessions.local();
        Path in = Files.createDirectories(dir.resolve("in"));
        for (String f : IMAGES) {
            Files.copy(PythonReference.root().resolve("testdata/images").resolve(f), in.resolve(f));
        }
        Files.writeString(in.resolve("broken.jpg"), "not a JPEG");
        files = spark.read().format("binaryFile").load(in.toString());
    }

    static ResNetTransformer transformer() {
        return new ResNetTransformer()
                .setWeights(WEIGHTS.toString())
                .setTopK(2)
                .setBatchSize(2)
                .setEngine("java");
    }

    static Map<String, Row> byName(Dataset<Row> rows) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : rows.collectAsList()) {
            String path = r.getAs("path");
            out.put(path.substring(path.lastIndexOf('/') + 1), r);
        }
        return out;
    }

    /** Each row's top-k equals the library's answer for the same file. */
    static void assertRowsEqualLibrary(Map<String, Row> rows) throws Exception {
        assertEquals(IMAGES.size() + 1, rows.size());
        String error = rows.get("broken.jpg").getAs("error");
        assertTrue(error != null && error.contains("broken.jpg"), error);
        try (ResNetModel model =
                ResNetModel.builder().weights(WEIGHTS).engine("java").threads(1).build()) {
            for (String f : IMAGES) {
                Row r = rows.get(f);
                assertNull(r.getAs("error"), f);
                List<Row> top = r.getList(r.fieldIndex("top"));
                List<Prediction> want;
                try (var in = Files.newInputStream(
                        PythonReference.root().resolve("testdata/images").resolve(f))) {
                    want = model.classify(in, 2);
                }
                assertEquals(2, top.size());
                for (int k = 0; k < 2; k++) {
                    assertEquals(want.get(k).index(), (int) top.get(k).getAs("index"), f);
                    assertEquals(want.get(k).label(), top.get(k).getAs("label"));
                    assertEquals(
                            (float) want.get(k).probability(),
                            (float) top.get(k).getAs("probability"),
                            1e-6f,
                            f);
                }
            }
        }
    }

    @Test
    void classifyInAPipelineAndAfterSaveAndLoad() throws Exception {
        ResNetTransformer t = transformer();
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {t}).fit(files);
        Dataset<Row> out = fitted.transform(files);
        assertEquals(
                List.of("path", "modificationTime", "length", "content", "top", "error"),
                List.of(out.schema().fieldNames()));
        assertRowsEqualLibrary(byName(out));

        Path saved = dir.resolve("transformer");
        t.save(saved.toString());
        ResNetTransformer loaded = ResNetTransformer.load(saved.toString());
        assertEquals(t.uid(), loaded.uid());
        assertEquals(t.getWeights(), loaded.getWeights());
        assertEquals(2, loaded.getTopK());
        assertEquals(2, loaded.getBatchSize());
        assertEquals("java", loaded.getOrDefault(loaded.engine()));

        Path savedPipeline = dir.resolve("pipeline");
        fitted.save(savedPipeline.toString());
        assertRowsEqualLibrary(
                byName(PipelineModel.load(savedPipeline.toString()).transform(files)));
    }

    @Test
    void embedModeAddsEmbeddings() throws Exception {
        Dataset<Row> out = transformer().setMode("embed").transform(files);
        assertEquals(ImageRows.EMBEDDING, out.schema().apply("embedding").dataType());
        assertEquals(DataTypes.StringType, out.schema().apply("error").dataType());
        Map<String, Row> rows = byName(out);
        try (ResNetModel model =
                ResNetModel.builder().weights(WEIGHTS).engine("java").threads(1).build()) {
            for (String f : IMAGES) {
                List<Float> got = rows.get(f).getList(rows.get(f).fieldIndex("embedding"));
                float[] want;
                try (var in = Files.newInputStream(
                        PythonReference.root().resolve("testdata/images").resolve(f))) {
                    want = model.embed(in);
                }
                assertEquals(want.length, got.size());
                for (int j = 0; j < want.length; j++) {
                    assertEquals(want[j], got.get(j), 1e-6f * Math.max(1f, Math.abs(want[j])), f + " [" + j + "]");
                }
            }
        }
        assertNull(rows.get("broken.jpg").getAs("embedding"));
    }

    @Test
    void badInputRefusedBeforeAnyTask() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> transformer().setInputCol("path").transform(files));
        assertTrue(e.getMessage().contains("expected binary"), e.getMessage());
        Exception missing = assertThrows(
                org.resnet4j.ResNet4jException.class,
                () -> transformer()
                        .setWeights(dir.resolve("nope.pth").toString())
                        .transform(files));
        assertTrue(missing.getMessage().contains("nope.pth"), missing.getMessage());
    }
}
