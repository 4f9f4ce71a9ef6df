package org.resnet4j.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.resnet4j.EngineType;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.Engines;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.tensor.TensorSpec;
import org.resnet4j.testing.TestImages;
import org.resnet4j.vision.ImageLoader;
import org.resnet4j.weights.CheckpointLoader;
import org.resnet4j.weights.Npy;

/** testdata/hostile/manifest.json, and how each kind of file is read. */
final class HostileCorpus {
    record Item(Path file, String kind, String exception, String reason, String attack) {
        String name() {
            return file.getFileName().toString();
        }

        /** A valid model an engine must refuse (at load or at run): its message names the node (not the file). */
        boolean isEngine() {
            return kind.endsWith("-engine");
        }

        EngineType engine() {
            return kind.equals("java-engine") ? EngineType.JAVA : EngineType.ONNX_RUNTIME;
        }
    }

    private HostileCorpus() {}

    static Path dir(Path root) {
        return root.resolve("testdata/hostile");
    }

    static List<Item> load(Path root) {
        try {
            JsonNode m = new ObjectMapper()
                    .readTree(dir(root).resolve("manifest.json").toFile());
            List<Item> out = new ArrayList<>();
            for (JsonNode f : m.get("files")) {
                out.add(new Item(
                        dir(root).resolve(f.get("file").asText()),
                        f.get("kind").asText(),
                        f.get("exception").asText(),
                        f.get("reason").asText(),
                        f.get("attack").asText()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the file with the library API for its kind; returns what was read (it should throw). */
    static Object read(Item item) {
        return read(item.kind(), item.file());
    }

    static Object read(String kind, Path file) {
        return switch (kind) {
            case "checkpoint" -> CheckpointLoader.load(file);
            case "onnx" -> Onnx.read(file);
            case "npy" -> Npy.read(file);
            case "image" -> ImageLoader.load(file);
            case "preprocess" -> TestImages.imagenet(256).apply(file); // decoded, then resized and cropped
            case "java-engine" -> runOnZeros(EngineType.JAVA, file);
            case "ort-engine" -> runOnZeros(EngineType.ONNX_RUNTIME, file);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
    }

    /** Opens the model on {@code engine} and runs it once on zeros of its declared float inputs. */
    static Map<String, Tensor> runOnZeros(EngineType engine, Path file) {
        try (Engine e = Engines.open(engine, Onnx.readValidated(file), EngineOptions.defaults())) {
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            for (TensorSpec in : e.inputs()) {
                feeds.put(
                        in.name(),
                        Tensor.zeros(java.util.Arrays.stream(in.shape())
                                .mapToInt(Math::toIntExact)
                                .toArray()));
            }
            return e.run(feeds);
        }
    }
}
