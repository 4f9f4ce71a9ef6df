package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;

/**
 * The artifact users depend on lives beside another protobuf. This test installs resnet4j (a second
 * build of this checkout, into a temporary local repository) and builds the small Maven application
 * in {@code src/it/classpath-app}, which depends on protobuf-java 3.25.5 (first on its classpath)
 * and on resnet4j. The application classifies and embeds images on both engines; its top-5,
 * probabilities (1e-5) and embeddings (1e-5 relative) must equal torchvision's
 * (tools/classify_reference.py). It also checks that the jar carries protobuf and Jackson only
 * relocated and that the installed pom no longer depends on them; then runs the application again
 * with resnet4j and its dependencies on the module path (the jar is the module {@code org.resnet4j}).
 *
 * <p>Maven comes from the running build ({@code maven.home}); artifacts resolve from the build's own
 * local repository first (as a file repository), then Maven Central.
 */
class ShadedArtifactTest {
    static final double PROBABILITY_TOLERANCE = 1e-5;
    static final double EMBEDDING_TOLERANCE = 1e-5;
    static final List<String> IMAGES = List.of("rgb_wide.png", "photo420.jpg");

    @TempDir
    Path dir;

    @Test
    void appWithProtobuf325ClassifiesAndEmbedsOnBothEngines() throws Exception {
        PythonReference.require();
        Path root = PythonReference.root();
        PythonReference.run(
                "torch_reference.py",
                "--arch",
                "resnet18",
                "--seed",
                "3",
                "--batch",
                "1",
                "--height",
                "32",
                "--width",
                "32",
                "--out-dir",
                dir.toString(),
                "--no-timings");
        Path weights = dir.resolve("weights.pth");
        List<String> images = IMAGES.stream()
                .map(f -> root.resolve("testdata/images").resolve(f).toString())
                .toList();
        PythonReference.Classified torch = PythonReference.classify("resnet18", weights, 5, images, dir);
        JsonNode refTop = torch.results();
        Tensor refFeatures = torch.features();

        Path repo = dir.resolve("repo");
        Path settings = dir.resolve("settings.xml");
        Files.writeString(
                settings,
                settings(Path.of(System.getProperty(
                        "resnet4j.localRepository", System.getProperty("user.home") + "/.m2/repository"))));
        String version = System.getProperty("resnet4j.version", "0.1.0");
        maven(
                root,
                settings,
                repo,
                "-f",
                root.resolve("pom.xml").toString(),
                "install",
                "-DskipTests",
                "-Dmaven.test.skip=true",
                "-Dmaven.javadoc.skip=true",
                "-Dmaven.source.skip=true",
                "-Dresnet4j.buildDirectory=" + dir.resolve("build"));
        Path installed = repo.resolve("org/resnet4j/resnet4j/" + version);
        checkShaded(
                installed.resolve("resnet4j-" + version + ".jar"), installed.resolve("resnet4j-" + version + ".pom"));

        Path cpFile = dir.resolve("classpath.txt");
        maven(
                root,
                settings,
                repo,
                "-f",
                root.resolve("src/it/classpath-app/pom.xml").toString(),
                "package",
                "dependency:build-classpath",
                "-Dmdep.outputFile=" + cpFile,
                "-Dapp.buildDirectory=" + dir.resolve("app"),
                "-Dresnet4j.version=" + version);
        String classpath = dir.resolve("app/classes")
                + File.pathSeparator
                + Files.readString(cpFile).trim();
        assertTrue(classpath.split(File.pathSeparator)[1].endsWith("protobuf-java-3.25.5.jar"), classpath);

        // on the module path: resnet4j and its dependencies as modules, the application (and its own
        // protobuf) on the class path, reading only what org.resnet4j exports
        List<String> modules = new ArrayList<>();
        List<String> appPath = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            (entry.endsWith("protobuf-java-3.25.5.jar") || entry.endsWith("classes") ? appPath : modules).add(entry);
        }
        for (String mode : List.of("class path", "module path")) {
            for (String engine : List.of("ort", "java")) {
                List<String> cmd = new ArrayList<>(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
                if (mode.equals("class path")) {
                    cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-cp", classpath));
                } else {
                    cmd.addAll(List.of(
                            "--module-path",
                            String.join(File.pathSeparator, modules),
                            "--add-modules",
                            "org.resnet4j,jdk.incubator.vector",
                            "-cp",
                            String.join(File.pathSeparator, appPath)));
                }
                cmd.addAll(List.of("app.App", weights.toString(), engine));
                cmd.addAll(images);
                String out = PythonReference.exec(cmd, 0);
                List<JsonNode> lines = new ArrayList<>();
                for (String line : out.split("\n")) {
                    if (line.startsWith("{")) {
                        lines.add(new ObjectMapper().readTree(line));
                    }
                }
                assertTrue(
                        lines.get(0).get("protobuf").asText().endsWith("protobuf-java-3.25.5.jar"),
                        lines.get(0).toString());
                double worstP = 0;
                double worstE = 0;
                for (int i = 0; i < images.size(); i++) {
                    JsonNode ours = lines.get(i + 1);
                    JsonNode ref = refTop.get(i).get("top");
                    for (int k = 0; k < 5; k++) {
                        assertEquals(
                                ref.get(k).get("index").asInt(),
                                ours.get("top").get(k).get("index").asInt(),
                                engine + " " + images.get(i) + " rank " + k);
                        double d = Math.abs(ref.get(k).get("probability").asDouble()
                                - ours.get("top").get(k).get("probability").asDouble());
                        assertTrue(
                                d <= PROBABILITY_TOLERANCE,
                                engine + " " + images.get(i) + ": probability differs by " + d);
                        worstP = Math.max(worstP, d);
                    }
                    int dims = refFeatures.dim(1);
                    assertEquals(dims, ours.get("embedding").size());
                    float[] ref2 = refFeatures.toArray();
                    double diff = 0;
                    double max = 0;
                    for (int j = 0; j < dims; j++) {
                        diff = Math.max(
                                diff, Math.abs(ours.get("embedding").get(j).asDouble() - ref2[i * dims + j]));
                        max = Math.max(max, Math.abs(ref2[i * dims + j]));
                    }
                    assertTrue(
                            diff / max <= EMBEDDING_TOLERANCE,
                            engine + " " + images.get(i) + ": embedding relative error " + diff / max);
                    worstE = Math.max(worstE, diff / max);
                }
                System.out.printf(
                        Locale.ROOT,
                        "app with protobuf-java 3.25.5 (resnet4j on the %s, %s, resnet18, %d images): same top-5, "
                                + "max probability difference %.2e, max embedding relative error %.2e%n",
                        mode,
                        engine,
                        images.size(),
                        worstP,
                        worstE);
            }
        }
    }

    /** No class of protobuf or Jackson outside org/resnet4j/shaded; the installed pom depends on neither. */
    private static void checkShaded(Path jar, Path pom) throws Exception {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<String> leaked = zip.stream()
                    .map(e -> e.getName())
                    .filter(n -> n.endsWith(".class")
                            && (n.startsWith("com/google/protobuf/") || n.startsWith("com/fasterxml/")))
                    .toList();
            assertEquals(List.of(), leaked, jar + " carries unrelocated classes");
            assertTrue(
                    zip.getEntry("org/resnet4j/shaded/protobuf/GeneratedMessage.class") != null,
                    jar + " lacks relocated protobuf");
            try (java.io.InputStream in = zip.getInputStream(zip.getEntry("module-info.class"))) {
                java.lang.module.ModuleDescriptor d = java.lang.module.ModuleDescriptor.read(in);
                assertEquals("org.resnet4j", d.name(), jar + " module name");
                assertEquals(
                        new java.util.TreeSet<>(PublicApiTest.EXPORTED),
                        d.exports().stream()
                                .map(java.lang.module.ModuleDescriptor.Exports::source)
                                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)),
                        jar + " exports");
            }
        }
        String p = Files.readString(pom);
        assertTrue(
                !p.contains("<artifactId>protobuf-java</artifactId>")
                        && !p.contains("<artifactId>jackson-databind</artifactId>"),
                pom + " still depends on protobuf or Jackson:\n" + p);
    }

    private static void maven(Path root, Path settings, Path repo, String... args) {
        String home = System.getProperty("resnet4j.mavenHome");
        String mvn = home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))
                ? Path.of(home, "bin", "mvn").toString()
                : "mvn";
        List<String> cmd =
                new ArrayList<>(List.of(mvn, "-B", "-q", "-s", settings.toString(), "-Dmaven.repo.local=" + repo));
        cmd.addAll(List.of(args));
        PythonReference.exec(cmd, 0);
    }

    /** Resolves from the running build's local repository (a file repository) before Maven Central. */
    private static String settings(Path outerRepo) {
        String url = outerRepo.toUri().toString();
        return """
                <settings>
                  <profiles>
                    <profile>
                      <id>outer</id>
                      <repositories><repository><id>outer</id><url>%1$s</url></repository></repositories>
                      <pluginRepositories><pluginRepository><id>outer</id><url>%1$s</url></pluginRepository></pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>outer</activeProfile></activeProfiles>
                </settings>
                """.formatted(url);
    }
}
