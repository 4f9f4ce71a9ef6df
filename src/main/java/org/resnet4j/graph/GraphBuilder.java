package org.resnet4j.graph;

import static org.resnet4j.onnx.Onnx.floatAttr;
import static org.resnet4j.onnx.Onnx.intAttr;
import static org.resnet4j.onnx.Onnx.intsAttr;

import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.spec.BlockKind;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.StateDict;

/**
 * Spec → ONNX nodes, following torchvision's {@code ResNet.__init__}, {@code _make_layer} and the
 * blocks' {@code forward}. Node, value and initializer names are torchvision's module paths, so
 * binding a state_dict is a lookup.
 *
 * <p>Values are named after the module that produced them ({@code layer1.0.conv1}); initializers
 * after the state_dict key ({@code layer1.0.conv1.weight}). With {@code foldBatchNorm}, each
 * Conv+BatchNormalization pair becomes one Conv whose weight and bias initializers are computed
 * from the four BN tensors ({@link BatchNormFolding}).
 */
public final class GraphBuilder {
    /** torchvision's BatchNorm2d default. */
    public static final float BN_EPSILON = 1e-5f;

    private final ResNetSpec spec;
    private final boolean foldBatchNorm;
    private ResNetGraph graph;

    private GraphBuilder(ResNetSpec spec, boolean foldBatchNorm) {
        this.spec = spec;
        this.foldBatchNorm = foldBatchNorm;
    }

    public static ResNetGraph build(ResNetSpec spec, boolean foldBatchNorm) {
        return new GraphBuilder(spec, foldBatchNorm).build();
    }

    private ResNetGraph build() {
        graph = new ResNetGraph(spec, foldBatchNorm);
        int k = spec.stemKernel();
        String x =
                convBn(ResNetGraph.INPUT, "conv1", "bn1", spec.inChannels(), spec.stemWidth(), k, spec.stemStride(), 1);
        x = relu(x, "relu");
        if (spec.stemPool()) {
            x = graph.node(
                    "MaxPool",
                    "maxpool",
                    new String[] {x},
                    intsAttr("kernel_shape", 3, 3),
                    intsAttr("strides", 2, 2),
                    intsAttr("pads", 1, 1, 1, 1));
        }
        int inplanes = spec.stemWidth();
        for (int stage = 0; stage < spec.stages(); stage++) {
            int planes = spec.widths().get(stage);
            int stride = stage == 0 ? 1 : 2;
            for (int b = 0; b < spec.layers().get(stage); b++) {
                String prefix = "layer" + (stage + 1) + "." + b + ".";
                int blockStride = b == 0 ? stride : 1;
                x = spec.block() == BlockKind.BASIC
                        ? basicBlock(x, prefix, inplanes, planes, blockStride)
                        : bottleneck(x, prefix, inplanes, planes, blockStride);
                inplanes = planes * spec.block().expansion();
            }
        }
        x = graph.node("GlobalAveragePool", "avgpool", new String[] {x});
        x = graph.node("Flatten", "flatten", new String[] {x}, intAttr("axis", 1));
        graph.addParameter("fc.weight", spec.numClasses(), inplanes);
        graph.addParameter("fc.bias", spec.numClasses());
        plain("fc.weight");
        plain("fc.bias");
        graph.addNode(NodeProto.newBuilder()
                .setOpType("Gemm")
                .setName("fc")
                .addInput(x)
                .addInput("fc.weight")
                .addInput("fc.bias")
                .addOutput(ResNetGraph.OUTPUT)
                .addAttribute(floatAttr("alpha", 1f))
                .addAttribute(floatAttr("beta", 1f))
                .addAttribute(intAttr("transB", 1))
                .build());
        return graph;
    }

    private String basicBlock(String x, String p, int inplanes, int planes, int stride) {
        String out = convBn(x, p + "conv1", p + "bn1", inplanes, planes, 3, stride, 1);
        out = relu(out, p + "relu1");
        out = convBn(out, p + "conv2", p + "bn2", planes, planes, 3, 1, 1);
        String identity = shortcut(x, p, inplanes, planes * BlockKind.BASIC.expansion(), stride);
        return residual(out, identity, p);
    }

    // Bottleneck puts the stride on the 3x3 conv (torchvision's "ResNet V1.5").
    private String bottleneck(String x, String p, int inplanes, int planes, int stride) {
        int width = spec.bottleneckWidth(planes);
        int outC = planes * BlockKind.BOTTLENECK.expansion();
        String out = convBn(x, p + "conv1", p + "bn1", inplanes, width, 1, 1, 1);
        out = relu(out, p + "relu1");
        out = convBn(out, p + "conv2", p + "bn2", width, width, 3, stride, spec.groups());
        out = relu(out, p + "relu2");
        out = convBn(out, p + "conv3", p + "bn3", width, outC, 1, 1, 1);
        String identity = shortcut(x, p, inplanes, outC, stride);
        return residual(out, identity, p);
    }

    // Both the block's conv and the downsample reduce the input when stride != 1; a 1x1 conv + BN
    // also matches channels when they change.
    private String shortcut(String x, String p, int inplanes, int outC, int stride) {
        if (stride == 1 && inplanes == outC) {
            return x;
        }
        return convBn(x, p + "downsample.0", p + "downsample.1", inplanes, outC, 1, stride, 1);
    }

    private String residual(String out, String identity, String p) {
        String sum = graph.node("Add", p + "add", new String[] {out, identity});
        return relu(sum, p + "relu");
    }

    private String relu(String x, String name) {
        return graph.node("Relu", name, new String[] {x});
    }

    /** Conv (no bias, torchvision's convs have none) followed by BatchNorm, or one folded Conv. */
    private String convBn(String x, String conv, String bn, int inC, int outC, int k, int stride, int groups) {
        String w = conv + ".weight";
        graph.addParameter(w, outC, inC / groups, k, k);
        for (String s : new String[] {"weight", "bias", "running_mean", "running_var"}) {
            graph.addParameter(bn + "." + s, outC);
        }
        AttributeProto[] convAttrs = {
            intsAttr("kernel_shape", k, k),
            intsAttr("strides", stride, stride),
            intsAttr("pads", k / 2, k / 2, k / 2, k / 2),
            intsAttr("dilations", 1, 1),
            intAttr("group", groups)
        };
        if (foldBatchNorm) {
            String fw = conv + ".weight_folded";
            String fb = conv + ".bias_folded";
            graph.addInitializer(Initializer.floats(fw, sd -> BatchNormFolding.weight(sd, w, bn, BN_EPSILON)));
            graph.addInitializer(Initializer.floats(fb, sd -> BatchNormFolding.bias(sd, bn, BN_EPSILON)));
            return graph.node("Conv", conv, new String[] {x, fw, fb}, convAttrs);
        }
        plain(w);
        String y = graph.node("Conv", conv, new String[] {x, w}, convAttrs);
        String[] bnInputs = {y, bn + ".weight", bn + ".bias", bn + ".running_mean", bn + ".running_var"};
        for (int i = 1; i < bnInputs.length; i++) {
            plain(bnInputs[i]);
        }
        return graph.node("BatchNormalization", bn, bnInputs, floatAttr("epsilon", BN_EPSILON));
    }

    private void plain(String key) {
        graph.addInitializer(Initializer.floats(key, (StateDict sd) -> sd.get(key)));
    }
}
