package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dresnet4j.vectorBits} as a user meets it, in a child JVM (the width is fixed once per JVM):
 * a forced width is the one {@code bench --json} reports and the engine describes; a bad value is one
 * {@code error:} line and exit 1, before any model is touched.
 */
class VectorWidthPropertyTest {
    record Child(int code, String out, String err) {}

    static Child bench(String width) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "-Dresnet4j.vectorBits=" + width,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "bench",
                "--arch",
                "resnet18",
                "--size",
                "8",
                "--engine",
                "java",
                "--threads",
                "1",
                "--warmup",
                "0",
                "--iters",
                "1",
                "--json"));
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bench did not finish");
        return new Child(
                p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void forcedWidthIsTheOneReported() throws Exception {
        Child c = bench("128");
        assertEquals(0, c.code(), c.err());
        JsonNode j = new ObjectMapper().readTree(c.out());
        assertEquals(128, j.get("vector_bits").asInt(), c.out());
        assertTrue(j.get("kernel_path").asText().startsWith("vector 128-bit (forced"), c.out());
        assertTrue(j.get("engine_detail").asText().contains(", 128-bit vectors, "), c.out());
    }

    @Test
    void badWidthIsOneErrorLine() throws Exception {
        Child c = bench("300");
        assertEquals(1, c.code(), c.err());
        List<String> lines = c.err()
                .lines()
                .filter(l -> !l.startsWith("WARNING: Using incubator modules"))
                .toList();
        assertEquals(
                List.of("error: -Dresnet4j.vectorBits is '300': expected 128, 256 or 512 (bits per vector), or unset"
                        + " for this CPU's " + org.resnet4j.engine.jvm.kernels.VectorWidth.PREFERRED_BITS),
                lines,
                c.err());
        assertFalse(c.err().contains("\tat "), c.err());
        assertTrue(c.out().isEmpty(), c.out());
    }
}
