package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.testing.LibraryProgram;
import org.resnet4j.testing.OtherJdk;
import org.resnet4j.testing.PythonReference;

/**
 * On the newest JDK present (24+: restricted native access and {@code sun.misc.Unsafe}'s memory access
 * warn there), neither the command line nor an application of the library prints a WARNING line. The
 * command line runs as the launcher runs it, {@code java -jar} on a jar whose manifest carries the
 * CLI jar's {@code Enable-Native-Access} (pom.xml) and lists the test class path, with the launcher's
 * {@code --sun-misc-unsafe-memory-access=allow}; the application
 * (LibraryProgram) runs with the two flags docs/LIBRARY.md gives. Skipped, with the reason printed, where
 * no JDK 24+ exists.
 */
class NoWarningsTest {
    static OtherJdk.Newest newest;

    @TempDir
    static Path dir;

    @BeforeAll
    static void newestJdk() {
        newest = OtherJdk.newest();
        if (newest.feature() < 24) {
            String reason = "no JDK 24 or newer (newest: " + newest.java() + ", Java " + newest.feature()
                    + "): the no-warnings check is skipped";
            System.out.println(reason);
            Assumptions.abort(reason);
        }
    }

    /** The second of docs/LIBRARY.md's flags, which the launcher also passes on 24+. */
    static final String UNSAFE_FLAG = "--sun-misc-unsafe-memory-access=allow";

    static final Path GOLDEN = PythonReference.root().resolve("testdata/golden/tiny_basic");
    static final String IMAGE =
            PythonReference.root().resolve("testdata/images/photo420.jpg").toString();

    @Test
    void commandLineOnJarPrintsNoWarning() throws Exception {
        String launcher = Files.readString(PythonReference.root().resolve("resnet4j"));
        assertTrue(launcher.contains(UNSAFE_FLAG), "the launcher does not pass " + UNSAFE_FLAG);
        Path jar = launcherJar();
        for (String engine : List.of("ort", "java")) {
            // as the launcher runs it: the jar's manifest allows native access, the flag allows protobuf's Unsafe
            List<String> cmd = new ArrayList<>(List.of(newest.java().toString(), UNSAFE_FLAG));
            if (engine.equals("java")) {
                cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
            }
            cmd.addAll(List.of(
                    "-jar",
                    jar.toString(),
                    "classify",
                    "--spec",
                    GOLDEN.resolve("spec.json").toString(),
                    "--weights",
                    GOLDEN.resolve("weights.pth").toString(),
                    "--engine",
                    engine,
                    IMAGE));
            assertNoWarnings("classify --engine " + engine, cmd);
        }
    }

    @Test
    void libraryWithTheDocumentedFlagPrintsNoWarning() throws Exception {
        List<String> cmd = OtherJdk.command(
                newest.java(),
                "--enable-native-access=ALL-UNNAMED",
                UNSAFE_FLAG,
                LibraryProgram.class.getName(),
                GOLDEN.resolve("weights.pth").toString(),
                GOLDEN.resolve("spec.json").toString(),
                "ort",
                IMAGE);
        // the flags before -cp: any order works, this reads like the docs
        cmd.add(1, cmd.remove(4));
        cmd.add(1, cmd.remove(4));
        assertNoWarnings("library on ONNX Runtime", cmd);
    }

    /**
     * Stderr has no WARNING line (the Java engine's "Using incubator modules" line aside, which the JVM
     * prints unconditionally whenever the module is added).
     */
    private static void assertNoWarnings(String what, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), what + ": timed out");
        assertEquals(0, p.exitValue(), what + ": " + new String(out, StandardCharsets.UTF_8) + err);
        List<String> warnings = err.lines()
                .filter(l -> l.startsWith("WARNING"))
                .filter(l -> !l.equals("WARNING: Using incubator modules: jdk.incubator.vector"))
                .toList();
        assertEquals(List.of(), warnings, what + " on " + newest.java() + ", stderr:\n" + err);
        System.out.println(what + ": no WARNING line on Java " + newest.feature() + " (" + newest.java() + ")");
    }

    /** A jar that runs resnet4j's Main from the test class path, with the CLI jar's manifest attribute. */
    private static Path launcherJar() throws Exception {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        a.putValue("Enable-Native-Access", cliManifestNativeAccess());
        List<String> urls = new ArrayList<>();
        for (String entry : OtherJdk.classPath().split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toString());
        }
        a.put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        Path jar = dir.resolve("launcher.jar");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        return jar;
    }

    /** The value the pom gives the CLI jar's manifest, so the test runs what the build ships. */
    private static String cliManifestNativeAccess() throws Exception {
        String pom = Files.readString(PythonReference.root().resolve("pom.xml"));
        String open = "<Enable-Native-Access>";
        int i = pom.indexOf(open);
        assertTrue(i >= 0, "pom.xml gives the CLI jar no Enable-Native-Access");
        return pom.substring(i + open.length(), pom.indexOf("</Enable-Native-Access>", i));
    }
}
