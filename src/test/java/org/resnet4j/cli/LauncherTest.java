package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.testing.PythonReference;

/**
 * The launcher script adds the incubator module (whose JVM warning line would otherwise open every
 * command's stderr) exactly for the commands that can run the Java engine. The script runs against a
 * stand-in {@code java} that prints the arguments it was given, so no JVM starts.
 */
class LauncherTest {
    @TempDir
    static Path home;

    static String javaArgs(String... args) throws Exception {
        Path bin = home.resolve("bin");
        if (!Files.exists(bin)) {
            Files.createDirectories(home.resolve("target"));
            Files.copy(PythonReference.root().resolve("resnet4j"), home.resolve("resnet4j"));
            Files.writeString(home.resolve("target/resnet4j.jar"), "");
            Files.writeString(home.resolve("target/spark.classpath"), "spark.jar"); // as if resolved before
            Path props = home.resolve("target/classes/org/resnet4j/spark/jvm.properties");
            Files.createDirectories(props.getParent());
            Files.writeString(props, "options=--add-opens=java.base/java.nio=ALL-UNNAMED\n");
            Files.createDirectories(bin);
            Path java = bin.resolve("java");
            Files.writeString(java, "#!/bin/sh\necho \"$@\"\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<String> cmd =
                new ArrayList<>(List.of("bash", home.resolve("resnet4j").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().remove("RESNET4J_JAVA_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void incubatorModuleOnlyWhereTheJavaEngineCanRun() throws Exception {
        for (String[] args : new String[][] {
            {"inspect", "m.onnx"},
            {"export", "--arch", "resnet18", "--weights", "w.pth", "--out", "m.onnx"},
            {"classify", "--weights", "w.pth", "a.jpg"},
            {"run", "--model", "m.onnx", "--input", "x.npy", "--output", "y.npy", "--engine", "ort"},
            {"classify", "--weights", "java", "a.jpg"}
        }) {
            assertFalse(javaArgs(args).contains("jdk.incubator.vector"), String.join(" ", args));
        }
        for (String[] args : new String[][] {
            {"demo"},
            {"bench", "--model", "m.onnx"},
            {"parity", "--model", "m.onnx"},
            {"run", "--model", "m.onnx", "--input", "x.npy", "--output", "y.npy", "--engine", "java"},
            {"classify", "--weights", "w.pth", "--engine=java", "a.jpg"},
            {"spark", "--engine", "java", "--input", "in", "--output", "out"}
        }) {
            assertTrue(javaArgs(args).contains("--add-modules jdk.incubator.vector"), String.join(" ", args));
        }
    }
}
