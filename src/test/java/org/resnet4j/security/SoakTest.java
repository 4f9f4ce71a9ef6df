package org.resnet4j.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.engine.jvm.JavaEngine;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.tensor.Tensor;

/**
 * The soak test ({@code mvn test -Psoak}, not in the default suite): 8 threads x thousands of
 * inferences on one engine of each kind (ONNX Runtime and the pure-Java engine), every output checked bit for bit against the single-thread answer; then engines are
 * opened and closed in a loop. RSS (VmRSS) and heap are printed at start and end, and RSS must
 * stay flat. Sizes: {@code -Dsoak.perThread=N} (default 5000), {@code -Dsoak.cycles=N} (default 500).
 */
@Tag("soak")
class SoakTest {
    static final int THREADS = 8;
    static final int PER_THREAD = Integer.getInteger("soak.perThread", 5000);
    static final int CYCLES = Integer.getInteger("soak.cycles", 500);

    @Test
    void soak() throws Exception {
        ModelProto model = EngineHammer.tinyModel();
        byte[] bytes = model.toByteArray();
        List<Tensor> inputs = EngineHammer.inputs(16);
        List<String> report = new ArrayList<>();
        report.add(snapshot("start"));

        try (OrtEngine ort = new OrtEngine(bytes, EngineOptions.defaults(), "tiny_basic")) {
            run("ort", ort, inputs, report);
        }
        try (JavaEngine java = new JavaEngine(model, 0)) {
            run("java", java, inputs, report);
        }

        // lifetime: sessions and tensors are native memory; opening and closing must not leak it
        long rssBefore = rssKb();
        for (int i = 0; i < CYCLES; i++) {
            try (OrtEngine e = new OrtEngine(bytes, EngineOptions.defaults(), "tiny_basic")) {
                e.run(inputs.get(i % inputs.size()));
            }
            if (i == CYCLES / 4) {
                rssBefore = rssKb(); // after warm-up: allocator pools and JIT settle
            }
        }
        System.gc();
        long rssAfter = rssKb();
        report.add(String.format(
                Locale.ROOT,
                "open/run/close cycles: %d, RSS %d -> %d kB (after warm-up)",
                CYCLES,
                rssBefore,
                rssAfter));
        report.add(snapshot("end"));
        report.forEach(s -> System.out.println("[soak] " + s));
        report.add(
                0,
                "java " + System.getProperty("java.version") + ", "
                        + Runtime.getRuntime().availableProcessors() + " cores, max heap "
                        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        Path out = Path.of("target", "soak-report.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, report);
        assertTrue(
                rssAfter - rssBefore < 64 * 1024,
                "RSS grew by " + (rssAfter - rssBefore) + " kB over " + CYCLES + " engine open/close cycles");
    }

    private static void run(String name, Engine engine, List<Tensor> inputs, List<String> report) throws Exception {
        EngineHammer.hammer(engine, inputs, THREADS, 50); // warm-up
        long rss0 = rssKb();
        long inferences = 0;
        long mismatches = 0;
        long nanos = 0;
        List<Long> rss = new ArrayList<>();
        for (int round = 0; round < 4; round++) { // RSS after each quarter: it must stay flat
            EngineHammer.Result r = EngineHammer.hammer(engine, inputs, THREADS, PER_THREAD / 4);
            inferences += r.inferences();
            mismatches += r.mismatches();
            nanos += r.nanos();
            rss.add(rssKb());
        }
        System.gc();
        long rss1 = rssKb();
        report.add(String.format(
                Locale.ROOT,
                "%s: %d threads x %d = %d inferences in %.1f s (%.0f/s), %d mismatches; RSS after warm-up %d kB,"
                        + " after each quarter %s kB, end %d kB; %s",
                name,
                THREADS,
                PER_THREAD / 4 * 4,
                inferences,
                nanos / 1e9,
                inferences / (nanos / 1e9),
                mismatches,
                rss0,
                rss,
                rss1,
                engine.describe()));
        System.out.println("[soak] " + report.get(report.size() - 1));
        assertEquals((long) THREADS * (PER_THREAD / 4) * 4, inferences);
        assertEquals(0, mismatches, name + ": outputs differing from the single-thread answer");
        // flat: from the first quarter (allocator pools and JIT settled) to the end
        assertTrue(
                rss1 - rss.get(0) < 64 * 1024,
                name + ": RSS grew by " + (rss1 - rss.get(0)) + " kB after the first quarter");
    }

    static String snapshot(String when) {
        Runtime rt = Runtime.getRuntime();
        return String.format(
                Locale.ROOT,
                "%s: RSS %d kB, heap used %d kB of %d kB committed",
                when,
                rssKb(),
                (rt.totalMemory() - rt.freeMemory()) / 1024,
                rt.totalMemory() / 1024);
    }

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return -1;
    }
}
