package org.resnet4j;

import java.nio.file.Path;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.graph.ArchitectureInference;
import org.resnet4j.weights.CheckpointLoader;
import org.resnet4j.weights.NamingSchemes;
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
     * Same, taking the state_dict from the top-level key {@code key} of a training checkpoint (null:
     * found automatically).
     */
    public static LoadedCheckpoint loadWeights(Path file, String key) {
        return CheckpointLoader.load(file, key);
    }

    /**
     * The architecture for a checkpoint: the preset or spec file when one is given (the strict binding
     * then checks the weights against it), else inferred from the weights' shapes. Overrides apply
     * on top either way.
     */
    public static ResNetSpec resolveSpec(String arch, Path specFile, Integer numClasses, Integer inChannels,
            LoadedCheckpoint weights) {
        if (arch != null || specFile != null) {
            return resolveSpec(arch, specFile, numClasses, inChannels);
        }
        ResNetSpec spec = inferSpec(weights).spec();
        if (numClasses != null) {
            spec = spec.withNumClasses(numClasses);
        }
        if (inChannels != null) {
            spec = spec.withInChannels(inChannels);
        }
        return spec;
    }

    /** The architecture the checkpoint's shapes describe; the error names the file. */
    public static ArchitectureInference.Inferred inferSpec(LoadedCheckpoint weights) {
        requireKnownNames(weights);
        try {
            return ArchitectureInference.infer(weights.tensors());
        } catch (ResNet4jException e) {
            throw new UnsupportedModelException(weights.file() + ": cannot infer the architecture from the weights ("
                    + e.getMessage() + "); give --arch NAME or --spec FILE");
        }
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
                    + ") or --spec FILE.json, or weights to infer it from");
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

    /** A checkpoint whose names match no scheme: the error lists some of its keys and the schemes tried. */
    private static void requireKnownNames(LoadedCheckpoint weights) {
        if (weights.scheme() == null) {
            try {
                NamingSchemes.map(weights.tensors());
            } catch (ResNet4jException e) {
                throw new FormatException(weights.file() + ": " + e.getMessage());
            }
        }
    }

    /**
     * Builds the graph for {@code spec}, binds the checkpoint strictly, returns the ONNX model. When
     * the weights do not fit, the error lists every problem and says what the weights look like.
     */
    public static ModelProto buildModel(ResNetSpec spec, LoadedCheckpoint weights, ExportOptions options) {
        requireKnownNames(weights);
        ResNetGraph graph = GraphBuilder.build(spec, options.foldBatchNorm());
        try {
            return ModelAssembler.assemble(graph, weights.tensors(), options.opset(), weights.file().toString());
        } catch (MismatchException e) {
            String hint;
            try {
                ArchitectureInference.Inferred found = ArchitectureInference.infer(weights.tensors());
                hint = "the weights look like " + found.describe() + (found.spec().equals(spec) ? ""
                        : found.preset().map(p -> "; try --arch " + p).orElse("; drop --arch/--spec to use the inferred spec"));
            } catch (ResNet4jException notAResNet) {
                hint = "no torchvision ResNet could be inferred from the weights either (" + notAResNet.getMessage() + ")";
            }
            throw new MismatchException(e.getMessage() + "\n  Hint: " + hint);
        }
    }
}
