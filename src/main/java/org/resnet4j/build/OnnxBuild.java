package org.resnet4j.build;

import java.nio.file.Path;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.graph.ArchitectureInference;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.QuantizedGraphBuilder;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.weights.CheckpointLoader;
import org.resnet4j.weights.LoadedCheckpoint;
import org.resnet4j.weights.NamingSchemes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoint → architecture → ONNX model, step by step: what {@code ResNetModel} builds its model
 * with, and what the command line's export, inspect and run use for the pieces. Stateless.
 */
public final class OnnxBuild {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxBuild.class);

    private OnnxBuild() {}

    /** How to build the ONNX model. */
    public record ExportOptions(int opset, boolean foldBatchNorm) {
        public static ExportOptions defaults() {
            return new ExportOptions(org.resnet4j.onnx.Onnx.DEFAULT_OPSET, false);
        }
    }

    /** Reads any supported checkpoint; the format is sniffed from its bytes. */
    public static LoadedCheckpoint loadWeights(Path file) {
        return loadWeights(file, null);
    }

    /**
     * Same, taking the state_dict from the top-level key {@code key} of a training checkpoint (null:
     * found automatically).
     */
    public static LoadedCheckpoint loadWeights(Path file, String key) {
        LoadedCheckpoint ckpt = CheckpointLoader.load(file, key);
        LOG.debug(
                "{}: {} checkpoint, naming scheme {}, weights under key {}, stripped prefix {}",
                file,
                ckpt.format().label(),
                ckpt.scheme(),
                ckpt.nestedKey(),
                ckpt.strippedPrefix());
        return ckpt;
    }

    /**
     * The spec for a checkpoint: {@code explicit} when given (a preset's or a spec file's; the strict
     * binding then checks the weights against it), else inferred from the weights' shapes. The
     * overrides (null: keep) apply on top either way.
     */
    public static ResNetSpec resolveSpec(
            ResNetSpec explicit, Integer numClasses, Integer inChannels, LoadedCheckpoint weights) {
        ResNetSpec spec = explicit != null ? explicit : inferSpec(weights).spec();
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
        ArchitectureInference.Inferred inferred;
        try {
            inferred = ArchitectureInference.infer(weights.tensors());
        } catch (ResNet4jException e) {
            throw new UnsupportedModelException(
                    weights.file() + ": " + e.getMessage() + "; give the architecture explicitly (a preset or a spec)");
        }
        LOG.debug("{}: inferred {} ({})", weights.file(), inferred.describe(), inferred.assumption());
        return inferred;
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
        LOG.debug(
                "{}: building {}",
                weights.file(),
                ArchitectureInference.describe(Presets.match(spec).orElse("a custom ResNet"), spec));
        ResNetGraph graph;
        if (weights.quantized()) {
            if (options.opset() < 13) {
                throw new UnsupportedModelException(weights.file() + " is quantized (" + weights.quantization()
                        + "): its per-channel DequantizeLinear needs opset 13 or later, not " + options.opset());
            }
            graph = QuantizedGraphBuilder.build(spec, ArchitectureInference.shapesOf(weights.tensors()));
        } else {
            graph = GraphBuilder.build(spec, options.foldBatchNorm());
        }
        try {
            return ModelAssembler.assemble(
                    graph, weights.tensors(), options.opset(), weights.file().toString());
        } catch (MismatchException e) {
            String hint;
            try {
                ArchitectureInference.Inferred found = ArchitectureInference.infer(weights.tensors());
                hint = "the weights look like " + found.describe()
                        + (found.spec().equals(spec)
                                ? ""
                                : found.preset()
                                        .map(p -> "; try the preset " + p)
                                        .orElse("; let the architecture be inferred"));
            } catch (ResNet4jException notAResNet) {
                hint = "no torchvision ResNet could be inferred from the weights either (" + notAResNet.getMessage()
                        + ")";
            }
            throw new MismatchException(e.getMessage() + "; hint: " + hint);
        }
    }
}
