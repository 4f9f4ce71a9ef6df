package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code resnet4j demo} as a user runs it: no arguments, exit 0, accuracy next to PyTorch's. */
class DemoCommandTest {
    @Test
    void demoRunsWithNoArguments() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), "demo", "--threads", "2");
        assertEquals(0, code, err.toString());
        String text = out.toString();
        assertContains(text, "PyTorch 1.13", "(equals PyTorch)");
        assertTrue(text.contains("ONNX Runtime vs Java engine     540/540"), text);
        assertContains(text, "Sample predictions", "Timings");
        assertTrue(err.toString().isEmpty(), err.toString());
    }

    @Test
    void demoJsonCarriesTheSameFigures() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), "demo", "--threads", "2", "--json");
        assertEquals(0, code, err.toString());
        var j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
        assertEquals(540, j.get("images").asInt());
        assertTrue(j.get("matches_pytorch").asBoolean(), out.toString());
        assertEquals(2, j.get("engines").size());
        for (var e : j.get("engines")) {
            assertEquals(j.at("/torch/correct").asInt(), e.get("correct").asInt(), e.toString());
            assertTrue(e.at("/vs_torch/relative").asDouble() <= 1e-5, e.toString());
        }
    }

    @Test
    void unknownEngineIsAUserError() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(1, Main.execute(new PrintWriter(out), new PrintWriter(err), "demo", "--engine", "gpu"));
        assertTrue(err.toString().contains("unknown engine 'gpu'"), err.toString());
    }
}
