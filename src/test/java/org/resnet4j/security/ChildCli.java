package org.resnet4j.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.resnet4j.cli.Main;

/**
 * The CLI in a child JVM with a small heap ({@code -Xmx256m}) and a deadline: what a user sees,
 * including an OutOfMemoryError or a hang, which an in-process call cannot show safely.
 */
final class ChildCli {
    static final String HEAP = "-Xmx256m";

    record Result(int code, String out, String err) {
        /** Exit 1, exactly one line on stderr starting with {@code error:}, no trace, nothing on stdout. */
        void assertOneErrorLine(String what) {
            assertEquals(1, code, what + ": exit code; stderr: " + err);
            assertTrue(err.startsWith("error: ") && err.strip().lines().count() == 1, what + ": not one line: " + err);
            assertFalse(
                    err.contains("\tat ") || err.contains("Exception:") || err.contains("OutOfMemoryError"),
                    what + ": trace: " + err);
            assertTrue(out.isEmpty(), what + ": printed " + out);
        }
    }

    private ChildCli() {}

    static Result run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP,
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("resnet4j-child", ".out");
        Path err = Files.createTempFile("resnet4j-child", ".err");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                fail("no answer within " + timeoutSeconds + " s: " + String.join(" ", args));
            }
            return new Result(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
