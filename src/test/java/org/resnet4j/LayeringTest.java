package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.resnet4j.testing.PythonReference;

/**
 * The package layout shows the data flow, and no import runs back up it: each package of the main
 * code imports only the packages below it. From the root package (the public API, above everything
 * but the front ends), the lower layers may use only the shared vocabulary: the exception family,
 * the reader limits, the version, and the engine and device choices.
 */
class LayeringTest {
    /** What each package may import from the others (its own package always). */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("arrays", Set.of()),
            Map.entry("files", Set.of()),
            Map.entry("tensor", Set.of("arrays")),
            Map.entry("spec", Set.of("arrays", "files", "tensor")),
            Map.entry("onnx", Set.of("arrays", "files", "tensor")),
            Map.entry("weights", Set.of("arrays", "files", "tensor")),
            Map.entry("vision", Set.of("arrays", "files", "tensor")),
            Map.entry("graph", Set.of("arrays", "tensor", "spec", "onnx")),
            Map.entry("build", Set.of("arrays", "files", "tensor", "spec", "onnx", "weights", "graph")),
            Map.entry("engine", Set.of("arrays", "files", "tensor", "onnx")),
            Map.entry(
                    "",
                    Set.of(
                            "arrays", "files", "tensor", "spec", "onnx", "weights", "vision", "graph", "build",
                            "engine")),
            Map.entry("console", Set.of("")),
            Map.entry("demo", Set.of("", "files", "tensor", "spec", "weights", "engine")),
            Map.entry("spark", Set.of("", "console", "files", "tensor", "spec", "vision")),
            Map.entry(
                    "cli",
                    Set.of(
                            "", "console", "demo", "arrays", "files", "tensor", "spec", "onnx", "weights", "vision",
                            "graph", "build", "engine")));

    /** Root types every layer may name. */
    static final Set<String> SHARED_ROOT_TYPES =
            Set.of("ResNet4jException", "ReaderLimits", "Version", "EngineType", "Device", "CalibrationMethod");

    static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?org\\.resnet4j\\.([a-z]\\w*\\.)*?([A-Z]\\w*)", Pattern.MULTILINE);

    @Test
    void noImportRunsBackUpTheLayers() throws IOException {
        Path main = PythonReference.root().resolve("src/main/java/org/resnet4j");
        List<String> wrong = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(main)) {
            files = s.filter(f -> f.toString().endsWith(".java")).toList();
        }
        for (Path f : files) {
            String pkg = topPackage(main.relativize(f.getParent()));
            Set<String> allowed = ALLOWED.get(pkg);
            assertTrue(allowed != null, "package " + pkg + " has no layer in LayeringTest: place it");
            Matcher m = Pattern.compile(
                            "^import (?:static )?org\\.resnet4j\\.((?:[a-z]\\w*\\.)*)([A-Z]\\w*)", Pattern.MULTILINE)
                    .matcher(Files.readString(f));
            while (m.find()) {
                String path = m.group(1);
                String target = path.isEmpty() ? "" : path.substring(0, path.indexOf('.'));
                if (target.equals(pkg)) {
                    continue;
                }
                boolean ok = target.isEmpty() && SHARED_ROOT_TYPES.contains(m.group(2)) || allowed.contains(target);
                if (!ok) {
                    wrong.add(main.relativize(f) + " imports " + (target.isEmpty() ? "(root)" : target) + "."
                            + m.group(2));
                }
            }
        }
        assertEquals(List.of(), wrong, "imports against the layers");
    }

    private static String topPackage(Path relative) {
        String s = relative.toString();
        int slash = s.indexOf('/');
        return slash < 0 ? s : s.substring(0, slash);
    }
}
