package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.cli.CliTest.cli;
import static org.resnet4j.cli.CliTest.json;
import static org.resnet4j.testing.Messages.assertContains;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.resnet4j.cli.CliTest.Result;
import org.resnet4j.testing.PythonReference;

/**
 * Live: {@code parity --torch} on torchvision's quantized resnet18 (tools/quantized_reference.py: seeded
 * weights, randomised BatchNorm statistics, fused, calibrated and converted with PyTorch's onednn or
 * qnnpack qconfig), as a plain state_dict and wrapped as a training checkpoint. PyTorch rebuilds the
 * quantized model from what resnet4j hands over; every engine must be within 2 of the output's
 * quantization steps of it, with the same top-1 wherever PyTorch's top logit leads by more than 4
 * steps. Each is also compared with PyTorch's own outputs of the original model ({@code --reference}):
 * where the rebuilt model runs on the engine that made them, it must give them exactly.
 */
class ParityQuantizedLiveTest {
    static final double MAX_STEPS = 2 + ParityCommand.STEP_SLACK;
    static final int IMAGES = 4;

    /** The reference folder (cached: the script is deterministic) of a 224x224 resnet18 with this qconfig. */
    static Path reference(String qconfig) {
        PythonReference.require();
        return PythonReference.cached(
                "quantized_reference.py",
                "--arch",
                "resnet18",
                "--engine",
                qconfig,
                "--size",
                "224",
                "--batch",
                Integer.toString(IMAGES),
                "--calibration-batches",
                "2",
                "--training-checkpoint",
                "--out-dir");
    }

    @ParameterizedTest(name = "{0} qconfig, {1}")
    @CsvSource({"onednn, weights.pth", "qnnpack, weights.pth", "onednn, training.pth"})
    void everyEngineWithinTwoStepsOfPyTorch(String qconfig, String file) throws IOException {
        Path ref = reference(qconfig);
        JsonNode meta = new ObjectMapper().readTree(ref.resolve("meta.json").toFile());
        Result r = cli(
                "parity",
                "--weights",
                ref.resolve(file).toString(),
                "--input",
                ref.resolve("input.npy").toString(),
                "--reference",
                ref.resolve("logits.npy").toString(),
                "--torch",
                "--python",
                PythonReference.PYTHON,
                "--threads",
                "2",
                "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = json(r.out());
        String torch = j.at("/engines/torch").asText();
        assertContains(torch, "QuantizableResNet", "quantized engine ");
        String engine =
                torch.substring(torch.indexOf("quantized engine ") + "quantized engine ".length(), torch.length() - 1);
        assertTrue(engine.equals("onednn") || engine.equals("qnnpack"), torch);
        // the step is fc's output scale, as PyTorch's model has it
        assertEquals(
                meta.get("fc_scale").asDouble(),
                j.at("/tolerance/step").asDouble(),
                1e-7 * j.at("/tolerance/step").asDouble());
        assertEquals(2.0, j.at("/tolerance/max_steps").asDouble());
        for (JsonNode c : j.get("comparisons")) {
            String what = qconfig + " " + file + ", " + c.get("pair").asText() + ": " + c;
            System.out.printf(
                    Locale.ROOT,
                    "int8 resnet18 (%s qconfig, %s) parity --torch, %s: %.2f steps, argmax %d/%d (%d tied)%n",
                    qconfig,
                    file,
                    c.get("pair").asText(),
                    c.get("steps").asDouble(),
                    c.get("argmax_agree").asInt(),
                    c.get("rows").asInt(),
                    c.get("tied").asInt());
            assertTrue(c.get("steps").asDouble() <= MAX_STEPS, what);
            assertEquals(c.get("rows").asInt(), c.get("argmax_agree").asInt(), what);
            assertEquals(IMAGES, c.get("rows").asInt() + c.get("tied").asInt(), what);
            assertTrue(c.get("within").asBoolean(), what);
        }
        if (engine.equals(meta.get("run_engine").asText())) {
            // the same engine: torch's output on the handed-over weights is PyTorch's own output of the original
            JsonNode vsTorch = comparison(j, "ort vs torch");
            JsonNode vsReference = comparison(j, "ort vs reference");
            assertEquals(
                    vsReference.get("max_abs").asDouble(),
                    vsTorch.get("max_abs").asDouble(),
                    0,
                    r.out());
            assertEquals(
                    vsReference.get("max_ref").asDouble(),
                    vsTorch.get("max_ref").asDouble(),
                    0,
                    r.out());
        }
        assertTrue(j.get("pass").asBoolean(), r.out());
    }

    @Test
    void theTableSaysSteps() {
        Path ref = reference("qnnpack");
        Result r = cli(
                "parity",
                "--weights",
                ref.resolve("weights.pth").toString(),
                "--input",
                ref.resolve("input.npy").toString(),
                "--threads",
                "2");
        assertEquals(0, r.code(), r.out() + r.err());
        assertContains(
                r.out(),
                "pass: max abs <= 2.00 steps of the output's quantization (fc scale ",
                "argmax agrees where the reference leads by > 4 steps",
                "logits: java vs ort");
        assertTrue(r.out().lines().anyMatch(l -> l.contains("java vs ort") && l.contains("  steps ")), r.out());
        assertTrue(r.out().trim().endsWith("PASS"), r.out());
    }

    @Test
    void aToleranceForTheOtherKindIsOneLine() {
        Path ref = reference("qnnpack");
        Result r = cli(
                "parity",
                "--weights",
                ref.resolve("weights.pth").toString(),
                "--input",
                ref.resolve("input.npy").toString(),
                "--rtol",
                "1e-3");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: --rtol is for float models; " + ref.resolve("weights.pth")), r.err());
        assertContains(r.err(), "is quantized (per-tensor qint8 (21))", "give the tolerance with --max-steps S");
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());

        r = cli(
                "parity",
                "--spec",
                CliTest.g("spec.json"),
                "--weights",
                CliTest.g("weights.pth"),
                "--input",
                CliTest.g("input.npy"),
                "--max-steps",
                "3");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: --max-steps is for quantized checkpoints"), r.err());
        assertContains(r.err(), "weights.pth is a float model: give its tolerance with --rtol/--atol");
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    }

    private static JsonNode comparison(JsonNode report, String pair) {
        for (JsonNode c : report.get("comparisons")) {
            if (c.get("pair").asText().equals(pair)) {
                return c;
            }
        }
        throw new AssertionError("no '" + pair + "' row in " + report);
    }
}
