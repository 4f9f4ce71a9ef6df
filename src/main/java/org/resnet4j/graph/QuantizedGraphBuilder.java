package org.resnet4j.graph;

import static org.resnet4j.onnx.Onnx.floatAttr;
import static org.resnet4j.onnx.Onnx.intAttr;
import static org.resnet4j.onnx.Onnx.intsAttr;

import java.util.Arrays;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.onnx.AttributeProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.spec.BlockKind;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * A quantized torchvision ResNet ({@code torchvision.models.quantization}, after {@code fuse_model},
 * {@code prepare}, calibration and {@code convert}) as a QDQ ONNX graph: every value PyTorch holds
 * quantized is written as QuantizeLinear → DequantizeLinear with the checkpoint's scale and zero point,
 * and every Conv and the fc Gemm read DequantizeLinear(int8 weight, per-channel or per-tensor scales)
 * and the float bias. ONNX Runtime fuses these groups into its integer kernels; the
 * float reading of the same graph is each node's spec. It follows {@code QuantizableResNet.forward}:
 *
 * <pre>
 * quant → conv1 (+ReLU) → maxpool → blocks → avgpool → flatten → fc → dequant
 * basic block:      conv1 (+ReLU), conv2, [downsample.0], add_relu.add_relu(out, identity)
 * bottleneck block: conv1 (+ReLU), conv2 (+ReLU), conv3, [downsample.0], skip_add_relu.add_relu(...)
 * </pre>
 *
 * MaxPool and the average pool keep their input's scale and zero point, as PyTorch's quantized ops
 * do. Names are the checkpoint's keys: {@code conv1.weight} (int8),
 * {@code conv1.weight_scale}, {@code conv1.weight_zero_point}, {@code conv1.scale},
 * {@code conv1.zero_point} (uint8); values are named after the module: {@code conv1} (float),
 * {@code conv1.q}, {@code conv1.dq}.
 */
public final class QuantizedGraphBuilder {
    /** The scale the model's output is quantized with before the final dequant: fc's. */
    private static final String OUTPUT_SCALE = "fc.scale";

    private final ResNetSpec spec;
    private final java.util.Map<String, int[]> shapes;
    private ResNetGraph graph;

    private QuantizedGraphBuilder(ResNetSpec spec, java.util.Map<String, int[]> shapes) {
        this.spec = spec;
        this.shapes = shapes;
    }

    /**
     * The graph for {@code spec}; the checkpoint's {@code shapes} (key → shape) say per conv whether its
     * weight is quantized per channel or per tensor (the shape of its scales), all else follows the spec.
     */
    public static ResNetGraph build(ResNetSpec spec, java.util.Map<String, int[]> shapes) {
        return new QuantizedGraphBuilder(spec, shapes).build();
    }

    /** Whether a checkpoint's keys are those of a quantized torchvision ResNet (its input quantizer). */
    public static boolean isQuantized(java.util.Map<String, int[]> shapes) {
        return shapes.containsKey("quant.scale");
    }

    /**
     * One quantization step of the model's output (the logits): the final dequant multiplies fc's
     * integers by {@code fc.scale}, so two outputs that differ by one integer differ by this much.
     */
    public static double outputStep(StateDict weights) {
        return weights.get(OUTPUT_SCALE).getDouble(0);
    }

    /** A dequantized value and the module whose {@code scale}/{@code zero_point} quantize it. */
    private record Q(String value, String params) {}

    private ResNetGraph build() {
        graph = new ResNetGraph(spec, true);
        activationParams("quant");
        Q x = quantize(ResNetGraph.INPUT, "quant", "quant");
        int k = spec.stemKernel();
        x = conv(x, "conv1", spec.inChannels(), spec.stemWidth(), k, spec.stemStride(), 1, true);
        if (spec.stemPool()) {
            String pooled = graph.node(
                    "MaxPool",
                    "maxpool",
                    new String[] {x.value()},
                    intsAttr("kernel_shape", 3, 3),
                    intsAttr("strides", 2, 2),
                    intsAttr("pads", 1, 1, 1, 1));
            x = quantize(pooled, "maxpool", x.params());
        }
        int inplanes = spec.stemWidth();
        for (int stage = 0; stage < spec.stages(); stage++) {
            int planes = spec.widths().get(stage);
            for (int b = 0; b < spec.layers().get(stage); b++) {
                String p = "layer" + (stage + 1) + "." + b + ".";
                int stride = b == 0 && stage > 0 ? 2 : 1;
                x = spec.block() == BlockKind.BASIC
                        ? basicBlock(x, p, inplanes, planes, stride)
                        : bottleneck(x, p, inplanes, planes, stride);
                inplanes = planes * spec.block().expansion();
            }
        }
        String pooled = graph.node("GlobalAveragePool", "avgpool", new String[] {x.value()});
        x = quantize(pooled, "avgpool", x.params());
        String flat = graph.node("Flatten", "flatten", new String[] {x.value()}, intAttr("axis", 1));
        String w = weight("fc", spec.numClasses(), inplanes);
        String bias = bias("fc", spec.numClasses());
        activationParams("fc");
        String fc = graph.node(
                "Gemm",
                "fc",
                new String[] {flat, w, bias},
                floatAttr("alpha", 1f),
                floatAttr("beta", 1f),
                intAttr("transB", 1));
        graph.node("QuantizeLinear", "fc.q", new String[] {fc, OUTPUT_SCALE, "fc.zero_point"});
        graph.addNode(NodeProto.newBuilder()
                .setOpType("DequantizeLinear")
                .setName("dequant")
                .addInput("fc.q")
                .addInput(OUTPUT_SCALE)
                .addInput("fc.zero_point")
                .addOutput(ResNetGraph.OUTPUT)
                .build());
        return graph;
    }

    private Q basicBlock(Q x, String p, int inplanes, int planes, int stride) {
        Q out = conv(x, p + "conv1", inplanes, planes, 3, stride, 1, true);
        out = conv(out, p + "conv2", planes, planes, 3, 1, 1, false);
        Q identity = shortcut(x, p, inplanes, planes, stride);
        return addRelu(out, identity, p + "add_relu");
    }

    private Q bottleneck(Q x, String p, int inplanes, int planes, int stride) {
        int width = spec.bottleneckWidth(planes);
        int outC = planes * BlockKind.BOTTLENECK.expansion();
        Q out = conv(x, p + "conv1", inplanes, width, 1, 1, 1, true);
        out = conv(out, p + "conv2", width, width, 3, stride, spec.groups(), true);
        out = conv(out, p + "conv3", width, outC, 1, 1, 1, false);
        Q identity = shortcut(x, p, inplanes, outC, stride);
        return addRelu(out, identity, p + "skip_add_relu");
    }

    private Q shortcut(Q x, String p, int inplanes, int outC, int stride) {
        if (stride == 1 && inplanes == outC) {
            return x;
        }
        return conv(x, p + "downsample.0", inplanes, outC, 1, stride, 1, false);
    }

    /** {@code FloatFunctional.add_relu}: add the dequantized values, ReLU, requantize with the module's parameters. */
    private Q addRelu(Q a, Q b, String module) {
        activationParams(module);
        String sum = graph.node("Add", module, new String[] {a.value(), b.value()});
        String r = graph.node("Relu", module + ".relu", new String[] {sum});
        return quantize(r, module, module);
    }

    /** A quantized Conv2d or ConvReLU2d: the BatchNorm is already folded in by {@code fuse_model}. */
    private Q conv(Q x, String m, int inC, int outC, int k, int stride, int groups, boolean relu) {
        String w = weight(m, outC, inC / groups, k, k);
        String bias = bias(m, outC);
        activationParams(m);
        AttributeProto[] attrs = {
            intsAttr("kernel_shape", k, k),
            intsAttr("strides", stride, stride),
            intsAttr("pads", k / 2, k / 2, k / 2, k / 2),
            intsAttr("dilations", 1, 1),
            intAttr("group", groups)
        };
        String y = graph.node("Conv", m, new String[] {x.value(), w, bias}, attrs);
        if (relu) {
            y = graph.node("Relu", m + ".relu", new String[] {y});
        }
        return quantize(y, m, m);
    }

    /** QuantizeLinear then DequantizeLinear of {@code value} with {@code params}' scale and zero point. */
    private Q quantize(String value, String name, String params) {
        String q = graph.node(
                "QuantizeLinear", name + ".q", new String[] {value, params + ".scale", params + ".zero_point"});
        String dq = graph.node(
                "DequantizeLinear", name + ".dq", new String[] {q, params + ".scale", params + ".zero_point"});
        return new Q(dq, params);
    }

    /** {@code module.scale} (float32) and {@code module.zero_point} (uint8): a quint8 activation's parameters. */
    private void activationParams(String module) {
        String scaleKey = module + ".scale";
        String zpKey = module + ".zero_point";
        graph.addParameter(scaleKey, scalarShape(scaleKey));
        graph.addParameter(zpKey, scalarShape(zpKey));
        graph.addInitializer(Initializer.floats(scaleKey, sd -> {
            Tensor s = sd.get(scaleKey);
            checkScale(scaleKey, s.get(0));
            return Tensor.of(new int[0], new float[] {s.get(0)});
        }));
        graph.addInitializer(new Initializer(zpKey, sd -> {
            long zp = integer(zpKey, sd.get(zpKey).get(0), 0, 255, "quint8");
            return uint8(zpKey, (byte) zp);
        }));
    }

    /** The int8 weight, its scales and zero points (per channel [outC] or per tensor []), and their DequantizeLinear. */
    private String weight(String m, int... shape) {
        String w = m + ".weight";
        String scale = w + "_scale";
        String zp = w + "_zero_point";
        int[] qshape = perChannelShape(scale, shape[0]);
        graph.addParameter(w, shape);
        graph.addParameter(scale, qshape);
        graph.addParameter(zp, qshape);
        graph.addInitializer(new Initializer(w, sd -> int8(w, sd.get(w))));
        graph.addInitializer(Initializer.floats(scale, sd -> checkedScales(scale, sd.get(scale))));
        graph.addInitializer(new Initializer(zp, sd -> int8(zp, sd.get(zp))));
        String dq = w + "_dq";
        AttributeProto[] axis = qshape.length == 1 ? new AttributeProto[] {intAttr("axis", 0)} : new AttributeProto[0];
        return graph.node("DequantizeLinear", dq, new String[] {w, scale, zp}, axis);
    }

    /**
     * The float bias, as PyTorch's quantized Conv and Linear add it to the dequantized accumulator
     * before requantising. (ONNX Runtime's own quantizer writes an int32 bias at scale input scale x
     * weight scale instead; ORT fuses either form into the same integer kernel, and a float bias keeps
     * the graph's float reading within one output step of PyTorch where the int32 one drifts by two.)
     */
    private String bias(String m, int outC) {
        String b = m + ".bias";
        graph.addParameter(b, outC);
        graph.addInitializer(Initializer.floats(b, sd -> sd.get(b)));
        return b;
    }

    /** One number: [] as quantized modules store it, or [1] as the input's {@code Quantize} module does. */
    private int[] scalarShape(String key) {
        int[] s = shapes.get(key);
        return s != null && s.length == 1 && s[0] == 1 ? s : new int[0];
    }

    /** [C] when the checkpoint quantized this weight per channel, [] when per tensor. */
    private int[] perChannelShape(String scaleKey, int channels) {
        int[] s = shapes.get(scaleKey);
        return s != null && s.length == 0 ? new int[0] : new int[] {channels};
    }

    private static Tensor checkedScales(String key, Tensor s) {
        for (int i = 0; i < s.numel(); i++) {
            checkScale(key, s.get(i));
        }
        return s.dtype() == org.resnet4j.tensor.DType.FLOAT32 && s.sourceType() == org.resnet4j.tensor.DType.FLOAT32
                ? s
                : Tensor.of(s.shape(), s.toArray());
    }

    private static void checkScale(String key, float s) {
        if (!(s > 0) || !Float.isFinite(s)) {
            throw new MismatchException(key + " is " + s + ", expected a positive finite quantization scale");
        }
    }

    private static long integer(String key, float v, long min, long max, String type) {
        if (v != Math.rint(v) || v < min || v > max) {
            throw new MismatchException(
                    key + " is " + v + ", expected an integer from " + min + " to " + max + " (" + type + ")");
        }
        return (long) v;
    }

    /** Integer values held as floats (a checkpoint's qint8 weights, its zero points) as an INT8 initializer. */
    private static TensorProto int8(String key, Tensor t) {
        byte[] data = new byte[t.numel()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) integer(key, t.get(i), -128, 127, "int8");
        }
        return tensor(key, TensorProto.DataType.INT8, t.shape(), data);
    }

    private static TensorProto uint8(String key, byte value) {
        return tensor(key, TensorProto.DataType.UINT8, new int[0], new byte[] {value});
    }

    private static TensorProto tensor(String name, TensorProto.DataType type, int[] shape, byte[] raw) {
        TensorProto.Builder b = TensorProto.newBuilder()
                .setName(name)
                .setDataType(type.getNumber())
                .setRawData(com.google.protobuf.ByteString.copyFrom(raw));
        Arrays.stream(shape).forEach(b::addDims);
        return b.build();
    }
}
