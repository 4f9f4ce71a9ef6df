package org.resnet4j;

import java.nio.file.Path;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.weights.CheckpointLoader;
import org.resnet4j.weights.LoadedCheckpoint;

/**
 * The library's front door: checkpoint + architecture → ONNX model. Everything the command line
 * does is reachable from here.
 *
 * <pre>{@code
 * LoadedCheckpoint ckpt = ResNet4j.loadWeights(Path.of("resnet50.pth"));
 * ModelProto model = ResNet4j.buildModel(Presets.get("resnet50"), ckpt, ExportOptions.defaults());
 * try (Engine engine = new OrtEngine(model.toByteArray(), EngineOptions.defaults(), "resnet50")) {
 *     Tensor logits = engine.run(input);
 * }
 * }</pre>
 */
public final class ResNet4j {
    private ResNet4j() {}

    /** How to build the ONNX model. */
    public record ExportOptions(int opset, boolean foldBatchNorm) {
        public static ExportOptions defaults() {
            return new ExportOptions(org.resnet4j.onnx.Onnx.DEFAULT_OPSET, false);
        }
    }

    /** Reads any supported checkpoint; the format is sniffed from its bytes. */
    public static LoadedCheckpoint loadWeights(Path file) {
        return CheckpointLoader.load(file);
    }

    /**
     * The architecture from a preset name or a spec file (exactly one), with optional overrides of
     * the number of classes and input channels (null keeps the spec's).
     */
    public static ResNetSpec resolveSpec(String arch, Path specFile, Integer numClasses, Integer inChannels) {
        if (arch != null && specFile != null) {
            throw new UnsupportedModelException("give either --arch or --spec, not both");
        }
        if (arch == null && specFile == null) {
            throw new UnsupportedModelException("give the architecture with --arch NAME (one of " + Presets.names()
                    + ") or --spec FILE.json");
        }
        ResNetSpec spec = arch != null ? Presets.get(arch) : SpecJson.read(specFile);
        if (numClasses != null) {
            spec = spec.withNumClasses(numClasses);
        }
        if (inChannels != null) {
            spec = spec.withInChannels(inChannels);
        }
        return spec;
    }

    /** Builds the graph for {@code spec}, binds the checkpoint strictly, returns the ONNX model. */
    public static ModelProto buildModel(ResNetSpec spec, LoadedCheckpoint weights, ExportOptions options) {
        ResNetGraph graph = GraphBuilder.build(spec, options.foldBatchNorm());
        return ModelAssembler.assemble(graph, weights.tensors(), options.opset(), weights.file().toString());
    }
}
