package org.resnet4j.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.Version;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.onnx.StringStringEntryProto;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * Binds weights to a {@link ResNetGraph} and produces the ONNX model. Binding is strict, like
 * PyTorch's {@code load_state_dict(strict=True)}: every missing key, unexpected key and shape
 * mismatch is reported in one error, sorted. {@code num_batches_tracked} is read and ignored.
 */
public final class ModelAssembler {
    public static final String META_SPEC = "resnet4j.spec";
    public static final String META_FOLDED = "resnet4j.folded_batchnorm";
    public static final String META_SOURCE = "resnet4j.source";

    private ModelAssembler() {}

    /**
     * What keeps tensors from binding to a graph, each list sorted: keys the graph needs that are
     * absent, keys it does not have ({@code num_batches_tracked} excepted), and one
     * "Shape mismatch in `key`: expected [..], found [..]" line per shape that differs.
     */
    public record Mismatches(List<String> missing, List<String> unexpected, List<String> shapes) {
        public boolean isEmpty() {
            return missing.isEmpty() && unexpected.isEmpty() && shapes.isEmpty();
        }
    }

    /** Compares tensor shapes ({@code actual}, key → shape) with the parameters a graph needs. */
    public static Mismatches compare(Map<String, int[]> expected, Map<String, int[]> actual) {
        TreeSet<String> missing = new TreeSet<>();
        TreeSet<String> unexpected = new TreeSet<>();
        List<String> shapes = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            int[] found = actual.get(e.getKey());
            if (found == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(found, e.getValue())) {
                shapes.add("Shape mismatch in `" + e.getKey() + "`: expected " + Shapes.format(e.getValue())
                        + ", found " + Shapes.format(found));
            }
        }
        for (String name : actual.keySet()) {
            if (!expected.containsKey(name) && !name.endsWith("num_batches_tracked")) {
                unexpected.add(name);
            }
        }
        shapes.sort(null);
        return new Mismatches(List.copyOf(missing), List.copyOf(unexpected), List.copyOf(shapes));
    }

    /** Key → shape of a state dict. */
    public static Map<String, int[]> shapesOf(StateDict sd) {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : sd.asMap().entrySet()) {
            out.put(e.getKey(), e.getValue().shape());
        }
        return out;
    }

    /**
     * Checks {@code weights} against the graph's parameters: every problem in one sorted error;
     * {@code source} (a file name) prefixes the message.
     */
    public static void check(ResNetGraph graph, StateDict weights, String source) {
        Mismatches m = compare(graph.parameters(), shapesOf(weights));
        if (m.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append(source)
                .append(": weights do not match the architecture (")
                .append(m.missing().size())
                .append(" missing, ")
                .append(m.unexpected().size())
                .append(" unexpected, ")
                .append(m.shapes().size())
                .append(" shape mismatches)");
        appendList(b, "missing", m.missing());
        appendList(b, "unexpected", m.unexpected());
        appendList(b, "shapes", m.shapes());
        throw new MismatchException(b.toString());
    }

    /** Keys listed in an error: a few name the problem, the count says how big it is. */
    static final int LISTED = 5;

    // one line: "; title: a, b, c, d, e and 12 more"
    private static void appendList(StringBuilder m, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        m.append("; ")
                .append(title)
                .append(": ")
                .append(String.join(", ", items.subList(0, Math.min(LISTED, items.size()))));
        if (items.size() > LISTED) {
            m.append(" and ").append(items.size() - LISTED).append(" more");
        }
    }

    /**
     * The architecture recorded in a model resnet4j built ({@link #META_SPEC}); empty for another
     * exporter's model, or when the record does not parse (it only describes the graph, which is what runs).
     */
    public static java.util.Optional<org.resnet4j.spec.ResNetSpec> recordedSpec(ModelProto model) {
        String json = Onnx.metadata(model, META_SPEC);
        if (json == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(SpecJson.parse(json, META_SPEC));
        } catch (org.resnet4j.ResNet4jException e) {
            return java.util.Optional.empty();
        }
    }

    /** Checks the weights, then builds the model with opset {@code opset}. */
    public static ModelProto assemble(ResNetGraph graph, StateDict weights, int opset, String source) {
        Onnx.checkOpset(opset);
        check(graph, weights, source);
        GraphProto.Builder g = GraphProto.newBuilder()
                .setName("resnet")
                .addAllNode(graph.nodes())
                .addInput(
                        Onnx.floatValueInfo(ResNetGraph.INPUT, "N", graph.spec().inChannels(), "H", "W"))
                .addOutput(Onnx.floatValueInfo(
                        ResNetGraph.OUTPUT, "N", graph.spec().numClasses()));
        for (Initializer init : graph.initializers()) {
            g.addInitializer(init.recipe().apply(weights));
        }
        return ModelProto.newBuilder()
                .setIrVersion(Onnx.irVersionFor(opset))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setProducerName(Version.NAME)
                .setProducerVersion(Version.VERSION)
                .setModelVersion(1)
                .setDocString("torchvision-compatible ResNet built by resnet4j")
                .setGraph(g)
                .addMetadataProps(entry(META_SPEC, SpecJson.toJson(graph.spec())))
                .addMetadataProps(entry(META_FOLDED, Boolean.toString(graph.foldedBatchNorm())))
                .addMetadataProps(entry(META_SOURCE, source))
                .build();
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }
}
