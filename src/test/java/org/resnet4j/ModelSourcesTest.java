package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.resnet4j.testing.Messages.assertContains;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;

/**
 * A model from memory or a stream (a resource in a fat jar, an object from storage) gives the same
 * logits as from its file, under the same checks, and a stream's copy does not outlive the build.
 */
class ModelSourcesTest {
    static final Path GOLDEN = PythonReference.root().resolve("testdata/golden/tiny_basic");

    @TempDir
    Path dir;

    static Tensor logits(ResNetModel.Builder b) {
        try (ResNetModel m = b.architecture(Architecture.specFile(GOLDEN.resolve("spec.json")))
                .engine("java")
                .threads(1)
                .build()) {
            return m.logits(Tensor.zeros(2, 3, 32, 32));
        }
    }

    static Tensor onnxLogits(ResNetModel.Builder b) {
        try (ResNetModel m = b.engine("java").threads(1).build()) {
            return m.logits(Tensor.zeros(2, 3, 32, 32));
        }
    }

    static List<Path> streamCopies() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("resnet4j-stream-"))
                    .toList();
        }
    }

    @Test
    void checkpointFromAStreamEqualsItsFileAndLeavesNoCopy() throws Exception {
        Path pth = GOLDEN.resolve("weights.pth");
        List<Path> before = streamCopies();
        Tensor fromFile = logits(ResNetModel.builder().weights(pth));
        try (InputStream in = Files.newInputStream(pth)) {
            Tensor fromStream = logits(ResNetModel.builder().weights(in, "bucket/tiny.pth"));
            assertArrayEquals(fromFile.toArray(), fromStream.toArray());
        }
        assertEquals(before, streamCopies(), "the stream's copy is deleted once the model is built");
    }

    @Test
    void onnxFromBytesAndStreamEqualsItsFile() throws Exception {
        Path onnx = dir.resolve("tiny.onnx");
        try (ResNetModel m = ResNetModel.builder()
                .weights(GOLDEN.resolve("weights.pth"))
                .architecture(Architecture.specFile(GOLDEN.resolve("spec.json")))
                .engine("java")
                .build()) {
            m.export(onnx);
        }
        byte[] bytes = Files.readAllBytes(onnx);
        Tensor fromFile = onnxLogits(ResNetModel.builder().onnx(onnx));
        assertArrayEquals(
                fromFile.toArray(),
                onnxLogits(ResNetModel.builder().onnx(bytes, "jar:/tiny.onnx")).toArray());
        assertArrayEquals(
                fromFile.toArray(),
                onnxLogits(ResNetModel.builder().onnx(new ByteArrayInputStream(bytes), "s3://m/tiny.onnx"))
                        .toArray());
        // the same validation as a file: a corrupt model is refused naming the stream
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length / 2);
        ResNet4jException e = assertThrows(
                ResNet4jException.class,
                () -> ResNetModel.builder().onnx(cut, "jar:/cut.onnx").build());
        assertContains(e.getMessage(), "jar:/cut.onnx");
    }

    @Test
    void aStreamOverTheLimitIsRefusedNamingIt() {
        System.setProperty("resnet4j.limit.model.maxStreamBytes", "1000");
        try {
            ResNet4jException.UnsafeContentException e = assertThrows(
                    ResNet4jException.UnsafeContentException.class,
                    () -> ResNetModel.builder()
                            .weights(new ByteArrayInputStream(new byte[5000]), "endless.pth")
                            .build());
            assertContains(e.getMessage(), "endless.pth", "more than 1000 bytes", "model.maxStreamBytes");
        } finally {
            System.clearProperty("resnet4j.limit.model.maxStreamBytes");
        }
    }

    @Test
    void anOnnxFileGivenAsWeightsSaysSo() throws Exception {
        Path onnx = dir.resolve("m.onnx");
        Files.write(onnx, new byte[] {8, 8, 18, 3, 'a', 'b', 'c'});
        ResNet4jException.FormatException e = assertThrows(
                ResNet4jException.FormatException.class,
                () -> ResNetModel.builder().weights(onnx).build());
        assertContains(e.getMessage(), onnx.toString(), "an ONNX model is given as a model, not as weights");
    }
}
