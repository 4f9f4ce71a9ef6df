package org.resnet4j.build;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.resnet4j.graph.BatchNormFolding;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.QuantizedGraphBuilder;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.StringStringEntryProto;
import org.resnet4j.spec.BlockKind;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.LoadedCheckpoint;

/**
 * A float checkpoint quantized by resnet4j: the state_dict torchvision's own quantization would give
 * ({@code fuse_model}, then weights and activations quantized), written by the same
 * {@link QuantizedGraphBuilder} as torchvision's quantized checkpoints, so both routes give one kind
 * of QDQ model.
 *
 * <p>Weights: each Conv with its BatchNorm folded in (as {@code fuse_model} does), then symmetric int8
 * (zero point 0, [-127, 127]), per output channel or per tensor. Activations: uint8 with a zero point,
 * from the calibrated ranges. uint8 activations with int8 weights is the combination ONNX Runtime's
 * x86 integer kernels run fastest (U8S8: the VNNI and AVX2 dot products take an unsigned and a signed
 * operand), and post-ReLU values use all 256 levels.
 */
public final class Int8Model {
    private Int8Model() {}

    /**
     * Which float values give each quantized module's range: the module (its {@code scale} and
     * {@code zero_point} in the quantized layout) to the value of the BatchNorm-folded float graph.
     */
    public static Map<String, String> observedValues(ResNetSpec spec) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("quant", "input");
        out.put("conv1", "relu");
        int inplanes = spec.stemWidth();
        for (int stage = 0; stage < spec.stages(); stage++) {
            int planes = spec.widths().get(stage);
            int outC = planes * spec.block().expansion();
            for (int b = 0; b < spec.layers().get(stage); b++) {
                String p = "layer" + (stage + 1) + "." + b + ".";
                boolean downsample = b == 0 && (stage > 0 || inplanes != outC);
                out.put(p + "conv1", p + "relu1");
                if (spec.block() == BlockKind.BASIC) {
                    out.put(p + "conv2", p + "conv2");
                } else {
                    out.put(p + "conv2", p + "relu2");
                    out.put(p + "conv3", p + "conv3");
                }
                if (downsample) {
                    out.put(p + "downsample.0", p + "downsample.0");
                }
                out.put(p + (spec.block() == BlockKind.BASIC ? "add_relu" : "skip_add_relu"), p + "relu");
                inplanes = outC;
            }
        }
        out.put("fc", "logits");
        return out;
    }

    /**
     * The QDQ model of {@code checkpoint} (float) with activation {@code ranges} (module → [lo, hi],
     * lo ≤ 0 ≤ hi), recording {@code calibration} (a JSON object) in the metadata.
     */
    public static ModelProto build(
            ResNetSpec spec,
            LoadedCheckpoint checkpoint,
            Map<String, float[]> ranges,
            boolean perChannel,
            int opset,
            String calibration) {
        StateDict sd = checkpoint.tensors();
        StateDict q = new StateDict();
        for (Map.Entry<String, float[]> e : ranges.entrySet()) {
            activation(q, e.getKey(), e.getValue());
        }
        for (String module : ranges.keySet()) {
            if (module.equals("quant") || module.endsWith("add_relu")) {
                continue;
            }
            if (module.equals("fc")) {
                weight(q, "fc", sd.get("fc.weight"), perChannel);
                q.put("fc.bias", sd.get("fc.bias"));
                continue;
            }
            String bn = module.equals("conv1")
                    ? "bn1"
                    : module.endsWith("downsample.0")
                            ? module.substring(0, module.length() - 1) + "1"
                            : module.replace(".conv", ".bn");
            weight(q, module, BatchNormFolding.weight(sd, module + ".weight", bn, GraphBuilder.BN_EPSILON), perChannel);
            q.put(module + ".bias", BatchNormFolding.bias(sd, bn, GraphBuilder.BN_EPSILON));
        }
        ModelProto model = ModelAssembler.assemble(
                QuantizedGraphBuilder.build(spec, ModelAssembler.shapesOf(q)),
                q,
                opset,
                checkpoint.file().toString());
        return model.toBuilder()
                .addMetadataProps(StringStringEntryProto.newBuilder()
                        .setKey("resnet4j.calibration")
                        .setValue(calibration))
                .build();
    }

    /** uint8 scale and zero point covering [lo, hi] (lo ≤ 0 ≤ hi), 0 exact. */
    static void activation(StateDict q, String module, float[] range) {
        double lo = Math.min(0, range[0]);
        double hi = Math.max(0, range[1]);
        float scale = hi > lo ? (float) ((hi - lo) / 255) : 1f;
        long zp = Math.max(0, Math.min(255, Math.round(-lo / scale)));
        q.put(module + ".scale", Tensor.of(new int[0], new float[] {scale}));
        q.put(module + ".zero_point", Tensor.of(new int[0], new float[] {zp}, DType.INT64));
    }

    /** Symmetric int8 (zero point 0, [-127, 127]) per output channel or per tensor. */
    static void weight(StateDict q, String module, Tensor w, boolean perChannel) {
        int channels = w.dim(0);
        int per = w.numel() / channels;
        float[] data = w.toArray();
        float[] scales = new float[perChannel ? channels : 1];
        for (int c = 0; c < channels; c++) {
            float max = 0;
            for (int i = c * per; i < (c + 1) * per; i++) {
                max = Math.max(max, Math.abs(data[i]));
            }
            int s = perChannel ? c : 0;
            scales[s] = Math.max(scales[s], max);
        }
        for (int s = 0; s < scales.length; s++) {
            scales[s] = scales[s] > 0 ? scales[s] / 127 : 1f;
        }
        float[] ints = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            float s = scales[perChannel ? i / per : 0];
            ints[i] = (float) Math.max(-127, Math.min(127, Math.rint(data[i] / s)));
        }
        int[] qshape = perChannel ? new int[] {channels} : new int[0];
        q.put(module + ".weight", Tensor.of(w.shape(), ints, DType.INT8));
        q.put(module + ".weight_scale", Tensor.of(qshape, scales));
        q.put(module + ".weight_zero_point", Tensor.of(qshape, new float[scales.length], DType.INT64));
    }

    /** The calibration record: method, image count, weights and activations, ranges per module. */
    public static String describe(String method, int images, boolean perChannel, Map<String, float[]> ranges) {
        StringBuilder sb = new StringBuilder("{\"method\":\"")
                .append(method)
                .append("\",\"images\":")
                .append(images)
                .append(",\"weights\":\"int8 symmetric ")
                .append(perChannel ? "per channel" : "per tensor")
                .append("\",\"activations\":\"uint8\",\"ranges\":{");
        boolean first = true;
        for (Map.Entry<String, float[]> e : ranges.entrySet()) {
            sb.append(first ? "" : ",")
                    .append('"')
                    .append(e.getKey())
                    .append("\":[")
                    .append(String.format(Locale.ROOT, "%.6g,%.6g", e.getValue()[0], e.getValue()[1]))
                    .append(']');
            first = false;
        }
        return sb.append("}}").toString();
    }
}
