package org.resnet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.spec.Presets;

class OnnxStreamWriterTest {
    @TempDir
    Path dir;

    /** The streamed file parses back (with protobuf's own parser) to exactly the model we built. */
    @Test
    void streamedFileParsesToTheSameModel() throws Exception {
        ResNetGraph g = GraphBuilder.build(Presets.get("resnet18").withNumClasses(3), false);
        ModelProto m = ModelAssembler.assemble(g, RandomInit.weights(g, 5), 17, "w.pth");
        Path f = dir.resolve("m.onnx");
        Onnx.write(m, f);
        assertEquals(m.getSerializedSize(), Files.size(f));
        assertEquals(m, ModelProto.parseFrom(Files.readAllBytes(f)));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }
}
