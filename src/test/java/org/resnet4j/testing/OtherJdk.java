package org.resnet4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The second JDK of the build: the newest one under /usr/lib/jvm when the suite runs on the default JDK,
 * the default one when the suite's second run ({@code newest-jdk} in pom.xml) runs on the newest. The
 * build finds it (tools/java_choice.sh --newest) and passes its home in {@code resnet4j.otherJava};
 * absent, empty or this JVM's own home, there is none.
 */
public final class OtherJdk {
    private OtherJdk() {}

    /** The other JDK's java binary, if there is another JDK. */
    public static Optional<Path> java() {
        String home = System.getProperty("resnet4j.otherJava", "");
        if (home.isEmpty() || home.contains("${")) {
            return Optional.empty();
        }
        try {
            Path other = Path.of(home).toRealPath();
            Path own = Path.of(System.getProperty("java.home")).toRealPath();
            Path java = other.resolve("bin/java");
            return other.equals(own) || !Files.isExecutable(java) ? Optional.empty() : Optional.of(java);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** The java of the newest JDK present (this one or the other), with its feature version. */
    public static Newest newest() {
        int own = Runtime.version().feature();
        Path ownJava = Path.of(System.getProperty("java.home"), "bin", "java");
        Optional<Path> other = java();
        if (other.isPresent()) {
            int feature = feature(other.get());
            if (feature > own) {
                return new Newest(other.get(), feature);
            }
        }
        return new Newest(ownJava, own);
    }

    public record Newest(Path java, int feature) {}

    /** The test class path, for a child JVM that runs resnet4j's classes. */
    public static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** A command line for {@code java} with the test class path, then {@code args}. */
    public static List<String> command(Path java, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", classPath()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The feature version of the JDK holding {@code java}, from its release file. */
    static int feature(Path java) {
        try {
            for (String line : Files.readAllLines(java.getParent().getParent().resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=\"")) {
                    String v = line.substring("JAVA_VERSION=\"".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // no release file: treated as not newer
        }
        return 0;
    }
}
