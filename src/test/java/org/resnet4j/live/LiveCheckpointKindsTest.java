package org.resnet4j.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.resnet4j.cli.Main;
import org.resnet4j.testing.Parity;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * Checkpoints as people have them, made by PyTorch itself (tools/make_checkpoint_kinds.py): each is
 * run with only --weights (architecture inferred, nesting and prefixes found, names mapped) through
 * ONNX Runtime and compared with torchvision's logits; inspect must say what it found.
 */
class LiveCheckpointKindsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void makeFiles() {
        PythonReference.require();
        PythonReference.run(
                "make_checkpoint_kinds.py",
                "--arch",
                "resnet18",
                "--num-classes",
                "10",
                "--seed",
                "21",
                "--out-dir",
                dir.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // file,          reference,        format,          scheme,      nested key, stripped prefix
        "legacy.pth,      output.npy,       pytorch-legacy,  torchvision, ,           ",
        "training.pth,    output.npy,       pytorch-zip,     torchvision, model,      module.",
        "compiled.pth,    output.npy,       pytorch-zip,     torchvision, state_dict, _orig_mod.",
        "lightning.ckpt,  output.npy,       pytorch-zip,     torchvision, state_dict, model.",
        "fp16.pth,        output_fp16.npy,  pytorch-zip,     torchvision, ,           ",
        "bf16.pth,        output_bf16.npy,  pytorch-zip,     torchvision, ,           ",
        "hf.safetensors,  output.npy,       safetensors,     huggingface, ,           ",
    })
    void runsWithOnlyWeights(String file, String reference, String format, String scheme, String nested, String prefix)
            throws Exception {
        Path y = dir.resolve(file + ".y.npy");
        String[] run = {
            "run",
            "--weights",
            dir.resolve(file).toString(),
            "--input",
            dir.resolve("input.npy").toString(),
            "--output",
            y.toString(),
            "--threads",
            "2"
        };
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out), new PrintWriter(err), run), out + "\n" + err);
        Parity.assertClose(
                file + " (no --arch, ORT vs torchvision)",
                Npy.read(y),
                Npy.read(dir.resolve(reference)),
                Parity.TORCH_TOLERANCE);

        out = new StringWriter();
        assertEquals(
                0,
                Main.execute(
                        new PrintWriter(out),
                        new PrintWriter(err),
                        "inspect",
                        dir.resolve(file).toString(),
                        "--json"));
        JsonNode j = new ObjectMapper().readTree(out.toString());
        assertEquals(format, j.get("format").asText());
        assertEquals(scheme, j.get("scheme").asText());
        assertEquals("resnet18", j.get("arch").asText());
        assertEquals(10, j.get("spec").get("num_classes").asInt());
        assertEquals(nested == null ? "null" : nested, j.get("nested_key").asText());
        assertEquals(prefix == null ? "null" : prefix, j.get("stripped_prefix").asText());
        assertTrue(j.get("parameters").asLong() > 11_000_000, j.toString());
        if (file.startsWith("training")) {
            assertTrue(err.toString().isEmpty() || err.toString().contains("model_ema"), err.toString());
            assertEquals("model_ema", j.get("other_keys").get(0).asText());
        }
    }
}
