package org.resnet4j.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.UnsafeContentException;

class InputFilesTest {
    @TempDir
    Path dir;

    @Test
    @EnabledOnOs(OS.LINUX)
    void fifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("model.onnx");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        // opening a FIFO with no writer blocks forever: the check must come first
        ResNet4jException e = assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> assertThrows(
                        ResNet4jException.class, () -> InputFiles.readAll(fifo, "model file", 1 << 20, null)));
        assertEquals("model file " + fifo + " is not a regular file (a FIFO)", e.getMessage());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void characterDeviceAndFolderAreRefused() {
        ResNet4jException dev = assertThrows(
                ResNet4jException.class, () -> InputFiles.requireRegular(Path.of("/dev/zero"), "input file"));
        assertEquals("input file /dev/zero is not a regular file (a character device)", dev.getMessage());
        ResNet4jException folder = assertThrows(ResNet4jException.class, () -> InputFiles.open(dir, "checkpoint"));
        assertEquals("checkpoint " + dir + " is not a regular file (a folder)", folder.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.npy");
        ResNet4jException e =
                assertThrows(ResNet4jException.class, () -> InputFiles.requireRegular(missing, "input file"));
        assertEquals("input file " + missing + " does not exist", e.getMessage());
    }

    @Test
    void readAllReadsOnceAndHonoursTheBound() throws Exception {
        Path f = dir.resolve("a.bin");
        Files.write(f, new byte[] {1, 2, 3, 4, 5});
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, InputFiles.readAll(f, "model file", 5, null));
        UnsafeContentException e = assertThrows(
                UnsafeContentException.class, () -> InputFiles.readAll(f, "model file", 4, "onnx.maxFileBytes"));
        assertEquals(
                "model file " + f + " has 5 bytes, more than the limit of 4"
                        + " (raise with -Dresnet4j.limit.onnx.maxFileBytes=N)",
                e.getMessage());
    }
}
