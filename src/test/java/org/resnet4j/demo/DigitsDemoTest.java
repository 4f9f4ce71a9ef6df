package org.resnet4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.resnet4j.EngineType;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.Parity;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * The demo, through its library entry point, on the files packed into the jar: every engine's
 * accuracy equals the one PyTorch recorded at training, and its logits match PyTorch's.
 */
class DigitsDemoTest {
    static final Path DIGITS = PythonReference.root().resolve("testdata/digits");

    @Test
    void onnxRuntimeMatchesPyTorch() {
        check(DigitsDemo.run(List.of(EngineType.ONNX_RUNTIME), 1));
    }

    @Test
    void javaEngineMatchesPyTorch() {
        check(DigitsDemo.run(List.of(EngineType.JAVA), 2));
    }

    @Test
    void defaultRunUsesEveryEngineAndPrintsTheReport() throws Exception {
        DigitsDemo.Report r = DigitsDemo.run(DigitsDemo.defaultEngines(), 0);
        assertEquals(2, r.runs().size());
        check(r);
        StringWriter text = new StringWriter();
        DigitsDemo.print(r, new PrintWriter(text));
        String out = text.toString();
        int correct = new ObjectMapper()
                .readTree(DIGITS.resolve("meta.json").toFile())
                .get("test_correct")
                .asInt();
        assertTrue(out.contains(correct + "/540 =  98.89%  (equals PyTorch)"), out);
        assertTrue(out.contains("Sample predictions"), out);
        assertContains(out, "|", "@");
        System.out.println(out);
    }

    private static void check(DigitsDemo.Report r) {
        Tensor reference = Npy.read(DIGITS.resolve("test_logits.npy"));
        assertEquals(r.size(), reference.dim(0));
        for (DigitsDemo.EngineRun run : r.runs()) {
            assertEquals(
                    r.torchCorrect(), run.correct(), run.kind() + ": accuracy differs from PyTorch's recorded one");
            Parity.assertClose(
                    "digits demo " + run.kind().label() + " vs torch", run.logits(), reference, Parity.TORCH_TOLERANCE);
        }
        assertTrue(DigitsDemo.matchesPyTorch(r));
    }

    @Test
    void asciiDigitIs8LinesOf16() {
        Tensor img = Tensor.of(new int[] {1, 1, 8, 8}, new float[64]);
        List<String> lines = DigitsDemo.ascii(Npy.read(DIGITS.resolve("test_images.npy")), 0);
        assertEquals(8, lines.size());
        lines.forEach(l -> assertEquals(16, l.length()));
        assertEquals(" ".repeat(16), DigitsDemo.ascii(img, 0).get(0));
    }
}
