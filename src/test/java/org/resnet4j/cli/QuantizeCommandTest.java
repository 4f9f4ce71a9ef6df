package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.testing.PythonReference;

/**
 * {@code quantize} on the golden tiny ResNet (testdata/golden/tiny_basic) with testdata/images as the
 * calibration set: the QDQ model it writes, its calibration record, and that it classifies.
 */
class QuantizeCommandTest {
    static final Path GOLDEN = PythonReference.root().resolve("testdata/golden/tiny_basic");
    static final Path IMAGES = PythonReference.root().resolve("testdata/images");

    @TempDir
    Path dir;

    @Test
    void writesAQdqModelWithItsCalibrationAndItClassifies() throws Exception {
        Path out = dir.resolve("int8.onnx");
        CliTest.Result r = CliTest.cli(
                "quantize",
                "--spec",
                GOLDEN.resolve("spec.json").toString(),
                "--weights",
                GOLDEN.resolve("weights.pth").toString(),
                "--calibrate",
                IMAGES.toString(),
                "--method",
                "percentile",
                "--per-channel",
                "--threads",
                "1",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertContains(r.out(), "wrote " + out, "per-channel weights", "percentile");
        ModelProto m = Onnx.read(out);
        Map<String, Integer> ops = new HashMap<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            ops.merge(n.getOpType(), 1, Integer::sum);
        }
        assertTrue(ops.getOrDefault("QuantizeLinear", 0) > 5, ops.toString());
        assertTrue(ops.getOrDefault("DequantizeLinear", 0) > 5, ops.toString());
        assertFalse(ops.containsKey("BatchNormalization"), "BatchNorm folded: " + ops);
        JsonNode cal = new ObjectMapper().readTree(Onnx.metadata(m, "resnet4j.calibration"));
        assertEquals("percentile", cal.get("method").asText());
        int images = org.resnet4j.vision.ImageFiles.expandOrFail(java.util.List.of(IMAGES))
                .size();
        assertTrue(cal.get("images").asInt() > 0 && cal.get("images").asInt() <= images, cal.toString());
        assertEquals("int8 symmetric per channel", cal.get("weights").asText());
        for (JsonNode range : cal.get("ranges")) {
            assertTrue(range.get(0).asDouble() <= 0 && range.get(1).asDouble() >= 0, cal.toString());
        }

        r = CliTest.cli(
                "classify",
                "--model",
                out.toString(),
                "--top",
                "1",
                IMAGES.resolve("photo420.jpg").toString());
        assertEquals(0, r.code(), r.err());
        assertContains(r.out(), "photo420.jpg");
    }

    @Test
    void anAlreadyQuantizedCheckpointAndBadOptionsAreOneLine() {
        Path q = PythonReference.root().resolve("testdata/quantized/per_tensor.pth");
        CliTest.Result r = CliTest.cli(
                "quantize",
                "--weights",
                q.toString(),
                "--calibrate",
                IMAGES.toString(),
                "--out",
                dir.resolve("x.onnx").toString());
        assertEquals(1, r.code(), r.err());
        assertContains(r.err(), "error: ", "already quantized");
        r = CliTest.cli(
                "quantize",
                "--weights",
                GOLDEN.resolve("weights.pth").toString(),
                "--spec",
                GOLDEN.resolve("spec.json").toString(),
                "--calibrate",
                IMAGES.toString(),
                "--method",
                "kl",
                "--out",
                dir.resolve("x.onnx").toString());
        assertEquals(1, r.code(), r.err());
        assertContains(r.err(), "--method: unknown calibration method 'kl'");
        assertFalse(Files.exists(dir.resolve("x.onnx")));
    }
}
