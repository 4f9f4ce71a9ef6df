package org.resnet4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.testing.QuantizedReference;

/**
 * Live, on local[2]: Spark takes a quantized torchvision checkpoint like a float one. The batch job
 * (classify and embed) and the Transformer on torchvision's quantized resnet18 give PyTorch's
 * quantized model's answer for photo-like JPEGs within {@link QuantizedReference}'s bounds: the same
 * top-1 where PyTorch's is not tied, its probability within the logits' steps, embeddings within
 * {@value QuantizedReference#MAX_STEPS} of the pool's quantization steps.
 */
class SparkQuantizedLiveTest {
    static final int COUNT = 8;

    @TempDir
    static Path dir;

    static QuantizedReference ref;

    @BeforeAll
    static void pytorch() throws Exception {
        ref = QuantizedReference.make(dir, COUNT);
        SparkSessions.local();
    }

    static Map<String, Row> job(String mode) {
        Path output = dir.resolve("out-" + mode);
        BatchJobTest.Run run = BatchJobTest.job(
                "--master",
                "local[2]",
                "--weights",
                ref.weights().toString(),
                "--input",
                ref.folder().toString(),
                "--output",
                output.toString(),
                "--mode",
                mode,
                "--batch",
                "4");
        assertEquals(0, run.code(), run.err());
        return byPath(SparkSessions.local().read().parquet(output.toString()));
    }

    static Map<String, Row> byPath(Dataset<Row> rows) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : rows.collectAsList()) {
            String path = Path.of(java.net.URI.create(r.getAs("path"))).toString();
            assertNull(out.put(path, r), "each file once");
            assertNull(r.getAs("error"), path);
        }
        assertEquals(COUNT, out.size());
        return out;
    }

    /** Top-1 against PyTorch's on every image; the number compared (not tied) is at least one. */
    static void assertTop1(Map<String, Row> rows, String what) {
        int compared = 0;
        for (int i = 0; i < COUNT; i++) {
            Row r = rows.get(ref.images().get(i));
            List<Row> top = r.getList(r.fieldIndex("top"));
            Row first = top.get(0);
            compared += ref.assertTop1(
                            i, first.getAs("index"), (float) first.getAs("probability"), what + " " + r.getAs("path"))
                    ? 1
                    : 0;
        }
        System.out.printf(
                Locale.ROOT,
                "%s on quantized resnet18 (%d JPEGs, local[2]): top-1 equal PyTorch's on the %d not tied%n",
                what,
                COUNT,
                compared);
        assertTrue(compared > 0, what + ": every top-1 tied, nothing compared");
    }

    @Test
    void batchJobClassifiesLikePyTorch() {
        assertTop1(job("classify"), "BatchJob classify");
    }

    @Test
    void batchJobEmbedsLikePyTorch() {
        Map<String, Row> rows = job("embed");
        double worst = 0;
        for (int i = 0; i < COUNT; i++) {
            Row r = rows.get(ref.images().get(i));
            List<Float> e = r.getList(r.fieldIndex("embedding"));
            float[] embedding = new float[e.size()];
            for (int j = 0; j < embedding.length; j++) {
                embedding[j] = e.get(j);
            }
            double steps = ref.featureSteps(i, embedding);
            worst = Math.max(worst, steps);
            assertTrue(steps <= QuantizedReference.MAX_STEPS, ref.images().get(i) + ": " + steps + " steps");
        }
        System.out.printf(
                Locale.ROOT,
                "BatchJob embed on quantized resnet18 (%d JPEGs): max %.2f pool steps from PyTorch%n",
                COUNT,
                worst);
    }

    @Test
    void transformerClassifiesLikePyTorch() {
        Dataset<Row> files = SparkSessions.local()
                .read()
                .format("binaryFile")
                .option("recursiveFileLookup", "true")
                .load(ref.folder().toString());
        Dataset<Row> out = new ResNetTransformer()
                .setWeights(ref.weights().toString())
                .setTopK(5)
                .setBatchSize(4)
                .transform(files);
        assertTop1(byPath(out), "ResNetTransformer");
    }
}
