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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.testing.PythonReference;

/**
 * The launcher script adds the incubator module (whose JVM warning line would otherwise open every
 * command's stderr) exactly for the commands that can run the Java engine, and picks the Java it runs
 * on (tools/java_choice.sh). The script runs against stand-in {@code java} binaries that print the
 * arguments they were given (and, the JDK homes, which one they are), so no JVM starts.
 */
class LauncherTest {
    @TempDir
    static Path home;

    static String javaArgs(String... args) throws Exception {
        return launch(Map.of(), 0, args);
    }

    /** Runs the launcher with {@code env} added (no JDK under the search folder unless given) and its exit code checked. */
    static String launch(Map<String, String> env, int exit, String... args) throws Exception {
        Path bin = home.resolve("bin");
        if (!Files.exists(bin)) {
            Files.createDirectories(home.resolve("target"));
            Files.copy(PythonReference.root().resolve("resnet4j"), home.resolve("resnet4j"));
            Files.createDirectories(home.resolve("tools"));
            Files.copy(PythonReference.root().resolve("tools/java_choice.sh"), home.resolve("tools/java_choice.sh"));
            Files.writeString(home.resolve("target/resnet4j.jar"), "");
            Files.writeString(home.resolve("target/spark.classpath"), "spark.jar"); // as if resolved before
            Path props = home.resolve("target/classes/org/resnet4j/spark/jvm.properties");
            Files.createDirectories(props.getParent());
            Files.writeString(props, "options=--add-opens=java.base/java.nio=ALL-UNNAMED\n");
            Files.createDirectories(bin);
            Path java = bin.resolve("java");
            // as a JDK without a release file: its version from `java -version`
            Files.writeString(
                    java,
                    "#!/bin/sh\n[ \"$1\" = -version ] && echo 'openjdk version \"17.0.9\"' >&2 && exit 0\necho \"$@\"\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<String> cmd =
                new ArrayList<>(List.of("bash", home.resolve("resnet4j").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().remove("RESNET4J_JAVA_OPTS");
        pb.environment().remove("RESNET4J_JAVA");
        pb.environment().remove("JAVA_HOME");
        pb.environment().put("RESNET4J_JVM_DIR", home.resolve("no-jdks").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(exit, p.exitValue(), out);
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

    /** A stand-in JDK home: a release file (MODULES as given, or none) and a java that names the home. */
    static Path jdk(Path dir, String name, String version, String modules) throws Exception {
        Path jdk = dir.resolve(name);
        Files.createDirectories(jdk.resolve("bin"));
        String release = "JAVA_VERSION=\"" + version + "\"\nJAVA_RUNTIME_VERSION=\"" + version + "+1\"\n";
        if (modules != null) {
            release += "MODULES=\"" + modules + "\"\n";
        }
        Files.writeString(jdk.resolve("release"), release);
        Path java = jdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho \"" + name + ": $@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return jdk;
    }

    @Test
    void runsOnTheNewestCompleteJdkUnlessOneIsNamed() throws Exception {
        Path jvms = home.resolve("jvms");
        String full = "java.base java.desktop jdk.incubator.vector";
        jdk(jvms, "jdk-17", "17.0.15", full);
        jdk(jvms, "jdk-21", "21.0.10", full);
        jdk(jvms, "jdk-21b", "21.0.9", full); // older by number, newer as text
        jdk(jvms, "jre-30", "30.0.1", "java.base java.desktop"); // no incubator module: skipped
        jdk(jvms, "jdk-11", "11.0.2", full);
        jdk(jvms, "jdk-1.8", "1.8.0_392", null);
        Map<String, String> env = Map.of("RESNET4J_JVM_DIR", jvms.toString());
        String out = launch(env, 0, "inspect", "m.onnx");
        assertTrue(out.startsWith("jdk-21: "), out);

        String named = launch(
                Map.of(
                        "RESNET4J_JVM_DIR",
                        jvms.toString(),
                        "RESNET4J_JAVA",
                        jvms.resolve("jdk-17/bin/java").toString()),
                0,
                "inspect",
                "m.onnx");
        assertTrue(named.startsWith("jdk-17: "), named);
        String javaHome = launch(
                Map.of(
                        "RESNET4J_JVM_DIR",
                        jvms.toString(),
                        "JAVA_HOME",
                        jvms.resolve("jdk-17").toString()),
                0,
                "inspect",
                "m.onnx");
        assertTrue(javaHome.startsWith("jdk-17: "), javaHome);

        for (String old : List.of("jdk-11", "jdk-1.8")) {
            String refused = launch(Map.of("RESNET4J_JAVA", jvms.resolve(old).toString()), 1, "inspect", "m.onnx");
            assertEquals(1, refused.lines().count(), refused);
            assertTrue(
                    refused.startsWith(
                            "error: RESNET4J_JAVA at " + jvms.resolve(old).toRealPath()),
                    refused);
            assertTrue(refused.contains("needs Java 17 or newer"), refused);
        }
    }
}
