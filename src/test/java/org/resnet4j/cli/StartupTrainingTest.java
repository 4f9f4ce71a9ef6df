package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.testing.PythonReference;

/** The launcher's training run: commands split at --next run in order, and the first failure stops it. */
class StartupTrainingTest {
    static final Path GOLDEN = PythonReference.root().resolve("testdata/golden/tiny_basic");

    @TempDir
    Path dir;

    @Test
    void splitsAtNext() {
        assertEquals(
                List.of(List.of("export", "--out", "a"), List.of("inspect", "a")),
                StartupTraining.commands("export", "--out", "a", "--next", "inspect", "a"));
    }

    @Test
    void runsEachCommandAndStopsAtTheFirstFailure() {
        Path first = dir.resolve("first.onnx");
        Path after = dir.resolve("after.onnx");
        String[] export = {"export", "--spec", GOLDEN.resolve("spec.json").toString(), "--weights"};
        int code = StartupTraining.run(
                export[0],
                export[1],
                export[2],
                export[3],
                GOLDEN.resolve("weights.pth").toString(),
                "--out",
                first.toString(),
                "--next",
                "inspect",
                dir.resolve("missing.pth").toString(),
                "--next",
                export[0],
                export[1],
                export[2],
                export[3],
                GOLDEN.resolve("weights.pth").toString(),
                "--out",
                after.toString());
        assertEquals(Main.EXIT_FAILURE, code);
        assertTrue(Files.exists(first), "the first command ran");
        assertFalse(Files.exists(after), "the command after the failure ran");
    }
}
