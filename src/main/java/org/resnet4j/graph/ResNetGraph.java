package org.resnet4j.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.spec.ResNetSpec;

/**
 * A ResNet as ONNX nodes plus the weights it needs, before any weights are bound: the output of
 * {@link GraphBuilder}, the input of {@link ModelAssembler}.
 */
public final class ResNetGraph {
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";

    private final ResNetSpec spec;
    private final boolean foldedBatchNorm;
    private final List<NodeProto> nodes = new ArrayList<>();
    /** torchvision state_dict keys the graph needs (num_batches_tracked excluded) and their shapes. */
    private final LinkedHashMap<String, int[]> parameters = new LinkedHashMap<>();

    private final List<Initializer> initializers = new ArrayList<>();

    ResNetGraph(ResNetSpec spec, boolean foldedBatchNorm) {
        this.spec = spec;
        this.foldedBatchNorm = foldedBatchNorm;
    }

    void addNode(NodeProto node) {
        nodes.add(node);
    }

    /** Adds a node whose single output value is named like the node; returns that name. */
    String node(String op, String name, String[] inputs, AttributeProto... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(name);
        for (String in : inputs) {
            b.addInput(in);
        }
        for (AttributeProto a : attrs) {
            b.addAttribute(a);
        }
        nodes.add(b.build());
        return name;
    }

    void addParameter(String key, int... shape) {
        if (parameters.put(key, shape) != null) {
            throw new IllegalStateException("parameter " + key + " declared twice");
        }
    }

    void addInitializer(Initializer init) {
        initializers.add(init);
    }

    public ResNetSpec spec() {
        return spec;
    }

    public boolean foldedBatchNorm() {
        return foldedBatchNorm;
    }

    public List<NodeProto> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** Expected torchvision keys and shapes, in torchvision's state_dict order. */
    public Map<String, int[]> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    List<Initializer> initializers() {
        return Collections.unmodifiableList(initializers);
    }
}
