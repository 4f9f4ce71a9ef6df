package org.resnet4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.cli.Main;
import org.resnet4j.testing.OtherJdk;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * The Java engine gives the same bits on both JDKs of the build: same kernels, same order of operations,
 * whichever JIT compiles them. Each golden model runs through {@code run --engine java} in this JVM and
 * in a child process on the other JDK (OtherJdk), and the logits' float bits must be equal.
 */
class CrossJdkTest {
    static final List<String> MODELS = List.of("tiny_basic", "tiny_bottleneck_grouped", "cifar_basic");

    @TempDir
    Path dir;

    @Test
    void javaEngineLogitsBitwiseEqualOnBothJdks() throws Exception {
        Optional<Path> other = OtherJdk.java();
        if (other.isEmpty()) {
            String reason = "no second JDK (resnet4j.otherJava='" + System.getProperty("resnet4j.otherJava", "")
                    + "'): the cross-JDK check is skipped";
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        for (String name : MODELS) {
            Path golden = PythonReference.root().resolve("testdata/golden").resolve(name);
            Path here = dir.resolve(name + "-here.npy");
            Path there = dir.resolve(name + "-there.npy");
            StringWriter err = new StringWriter();
            assertEquals(
                    0,
                    Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), args(golden, here)),
                    err.toString());
            List<String> cmd = OtherJdk.command(other.get(), "--add-modules", "jdk.incubator.vector");
            // the same kernel choice as this JVM's (a vector-width execution sets these)
            for (String property : List.of("resnet4j.vectorBits", "resnet4j.scalar")) {
                if (System.getProperty(property) != null) {
                    cmd.add("-D" + property + "=" + System.getProperty(property));
                }
            }
            cmd.add(Main.class.getName());
            cmd.addAll(List.of(args(golden, there)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), name + ": child timed out");
            assertEquals(0, p.exitValue(), name + " on " + other.get() + ": " + out);

            float[] a = Npy.read(here).toArray();
            float[] b = Npy.read(there).toArray();
            assertEquals(a.length, b.length, name + ": logit count");
            int differing = 0;
            for (int i = 0; i < a.length; i++) {
                if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                    differing++;
                }
            }
            assertEquals(
                    0,
                    differing,
                    name + ": logits differ in " + differing + " of " + a.length + " between Java " + Runtime.version()
                            + " and " + other.get());
            System.out.printf(
                    "%s: %d Java-engine logits bitwise equal on Java %s and %s%n",
                    name, a.length, Runtime.version(), other.get());
        }
    }

    private static String[] args(Path golden, Path out) {
        return new String[] {
            "run",
            "--spec",
            golden.resolve("spec.json").toString(),
            "--weights",
            golden.resolve("weights.pth").toString(),
            "--input",
            golden.resolve("input.npy").toString(),
            "--output",
            out.toString(),
            "--engine",
            "java",
            "--threads",
            "2"
        };
    }
}
