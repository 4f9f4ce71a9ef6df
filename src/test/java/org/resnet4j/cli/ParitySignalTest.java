package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code parity --torch}: the CLI in a child JVM starts a stand-in "Python" (a shell
 * script that starts a long sleep of its own and waits), then gets SIGINT as a terminal would send it
 * to the JVM alone. The JVM must exit, end the child and its descendant (no orphan keeps running),
 * and leave no {@code resnet4j-torch*} folder in its temporary directory. Where this JVM was started
 * with SIGINT ignored (a background job of a non-interactive shell), the child inherits that and, like
 * {@code nohup}'d programs, keeps ignoring it; then it gets SIGTERM, which runs the same shutdown.
 */
class ParitySignalTest {
    @TempDir
    Path dir;

    @Test
    void sigintEndsThePythonChildAndRemovesItsFolder() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path pids = dir.resolve("pids");
        Path python = dir.resolve("slow-python");
        Files.writeString(
                python,
                "#!/bin/sh\nsleep 300 &\necho \"$$ $!\" > " + pids + ".part\nmv " + pids + ".part " + pids
                        + "\nwait\n");
        assertTrue(python.toFile().setExecutable(true));
        // the class path goes in the environment: ONNX Runtime's loader crashes on a very long -cp argument
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Djava.io.tmpdir=" + tmp,
                        "-XX:TieredStopAtLevel=1",
                        "--add-modules",
                        "jdk.incubator.vector",
                        Main.class.getName(),
                        "parity",
                        "--spec",
                        CliTest.g("spec.json"),
                        "--weights",
                        CliTest.g("weights.pth"),
                        "--input",
                        CliTest.g("input.npy"),
                        "--torch",
                        "--python",
                        python.toString(),
                        "--threads",
                        "1")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("cli.log").toFile());
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process jvm = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(pids)) {
                if (!jvm.isAlive() || System.nanoTime() > deadline) {
                    fail("the stand-in Python never started (CLI "
                            + (jvm.isAlive() ? "still running" : "exit " + jvm.exitValue()) + "): "
                            + Files.readString(dir.resolve("cli.log")));
                }
                Thread.sleep(50);
            }
            try (Stream<Path> s = Files.list(tmp)) {
                assertTrue(
                        s.anyMatch(p -> p.getFileName().toString().startsWith("resnet4j-torch")),
                        "the call's folder should exist while Python runs");
            }
            List<Long> children = Stream.of(Files.readString(pids).trim().split(" "))
                    .map(Long::parseLong)
                    .toList();
            assertEquals(
                    0,
                    new ProcessBuilder("kill", "-" + signal(), Long.toString(jvm.pid()))
                            .start()
                            .waitFor());
            if (!jvm.waitFor(60, TimeUnit.SECONDS)) {
                fail("the CLI did not exit on SIG" + signal() + "; its threads:\n" + threadDump(jvm.pid())
                        + "\nits output:\n" + Files.readString(dir.resolve("cli.log")));
            }
            for (long pid : children) {
                assertTrue(endsWithin(pid, 10), "process " + pid + " outlived the CLI");
            }
            try (Stream<Path> s = Files.list(tmp)) {
                List<Path> left = s.filter(p -> p.getFileName().toString().startsWith("resnet4j-torch"))
                        .toList();
                assertTrue(left.isEmpty(), "left behind: " + left);
            }
        } finally {
            jvm.destroyForcibly();
            if (Files.exists(pids)) { // the old code's orphans: not left running after a failure
                for (String pid : Files.readString(pids).trim().split(" ")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    /** INT as a terminal sends it, or TERM when this process (and so the child) ignores SIGINT. */
    private static String signal() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                long ignored = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                return (ignored & (1L << (2 - 1))) != 0 ? "TERM" : "INT";
            }
        }
        return "INT";
    }

    /** The threads of a JVM that would not exit, for the failure message (jcmd of the JDK running the test). */
    private static String threadDump(long pid) {
        try {
            Process p = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                    .toString(),
                            Long.toString(pid),
                            "Thread.print")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            return "(no thread dump: " + e + ")";
        }
    }

    /**
     * Whether the process is gone (or a zombie: killed, waiting only for its new parent to reap it, which
     * a container's init may never do) within the given seconds. A SIGKILL to a grandchild is
     * delivered at once but the exit takes a moment.
     */
    private static boolean endsWithin(long pid, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Path stat = Path.of("/proc", Long.toString(pid), "stat");
            if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return true;
            }
            try {
                String s = Files.readString(stat);
                if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
                    return true;
                }
            } catch (java.io.IOException gone) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
