package org.resnet4j.graph;

import java.util.Optional;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.TensorProto;

/**
 * Exposes a classifier's pooled features, the input of its final fully connected layer (what
 * {@code model.fc = nn.Identity()} returns in torchvision), as a second graph output. Both engines
 * then compute logits and features in one run; nothing else in the graph changes.
 *
 * <p>The fc layer is found from the graph, not from names: the node that produces the first
 * output must be a {@code Gemm} (as in resnet4j's graphs and in {@code torch.onnx.export} of a
 * torchvision ResNet), or, in a quantized (QDQ) model, a Gemm whose output is quantized and
 * dequantized; its first input is the feature vector.
 */
public final class FeatureOutput {
    private FeatureOutput() {}

    /**
     * The model with the features added as a second output, and the features' name and width.
     *
     * @param model      the classifier with the feature output added
     * @param name       the value name of the features
     * @param dimensions feature width (fc's input size), -1 when the file does not fix it
     */
    public record Exposed(ModelProto model, String name, int dimensions) {}

    /** The model with its fc input as a second output, or empty when its output is not made by a Gemm. */
    public static Optional<Exposed> expose(ModelProto model) {
        GraphProto g = model.getGraph();
        if (g.getOutputCount() != 1) {
            return Optional.empty();
        }
        NodeProto fc = producer(g, g.getOutput(0).getName());
        while (fc != null
                && (fc.getOpType().equals("DequantizeLinear") || fc.getOpType().equals("QuantizeLinear"))
                && fc.getInputCount() > 0) {
            fc = producer(g, fc.getInput(0));
        }
        if (fc == null || !fc.getOpType().equals("Gemm") || fc.getInputCount() < 2) {
            return Optional.empty();
        }
        String features = fc.getInput(0);
        int dims = featureWidth(g, fc);
        ModelProto.Builder b = model.toBuilder();
        b.getGraphBuilder()
                .addOutput(
                        dims > 0 ? Onnx.floatValueInfo(features, "N", dims) : Onnx.floatValueInfo(features, "N", "D"));
        return Optional.of(new Exposed(b.build(), features, dims));
    }

    /** The node whose output is {@code value}, or null (a graph input or an initializer). */
    private static NodeProto producer(GraphProto g, String value) {
        for (NodeProto n : g.getNodeList()) {
            if (n.getOutputList().contains(value)) {
                return n;
            }
        }
        return null;
    }

    /** fc's input size: the weight's columns ({@code transB} 1, torch's layout) or rows. */
    private static int featureWidth(GraphProto g, NodeProto fc) {
        boolean transB = false;
        for (AttributeProto a : fc.getAttributeList()) {
            if (a.getName().equals("transB")) {
                transB = a.getI() != 0;
            }
        }
        String weight = fc.getInput(1);
        NodeProto dq = producer(g, weight);
        if (dq != null && dq.getOpType().equals("DequantizeLinear") && dq.getInputCount() > 0) {
            weight = dq.getInput(0); // a quantized model's int8 weight
        }
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().equals(weight) && t.getDimsCount() == 2) {
                return Math.toIntExact(t.getDims(transB ? 1 : 0));
            }
        }
        return -1;
    }
}
