package org.resnet4j.weights;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * Quantized tensors of a checkpoint ({@code torch.quantize_per_tensor}/{@code _per_channel}, as
 * torchvision's quantized ResNets store their weights) as three plain tensors: NAME holds the
 * integers (qint8 or quint8, exact as floats, source type INT8 or UINT8), NAME_scale the scales
 * (float32, shape [] or [C]) and NAME_zero_point the zero points (int64, same shape); real value =
 * (q - zero point) * scale. The quantizer is checked here, once, so nothing downstream meets a scale
 * of 0 or a zero point outside its type.
 */
final class QuantizedTensors {
    private final String file;
    /** How many tensors of each kind ("per-channel qint8"), for the summary. */
    private final Map<String, Integer> kinds = new TreeMap<>();

    QuantizedTensors(String file) {
        this.file = file;
    }

    /**
     * Decodes {@code q} (its integers, and per channel its scales and zero points, through
     * {@code decode}) into {@code sd} as NAME, NAME_scale and NAME_zero_point.
     */
    void decode(
            String key, PyValues.QTensorRef q, BiFunction<String, PyValues.TensorRef, Tensor> decode, StateDict sd) {
        DType type = q.data().storage().dtype();
        if (type != DType.INT8 && type != DType.UINT8) {
            throw new UnsupportedModelException(file + ": tensor '" + key + "' is quantized as "
                    + q.data().storage().typeName() + "; resnet4j reads qint8 and quint8 tensors");
        }
        String qtype = type == DType.INT8 ? "qint8" : "quint8";
        long min = type == DType.INT8 ? -128 : 0;
        long max = type == DType.INT8 ? 127 : 255;
        Tensor data = decode.apply(key, q.data());
        PyValues.Quantizer z = q.quantizer();
        Tensor scale;
        Tensor zeroPoint;
        if (!z.perChannel()) {
            checkScale(key, z.scale());
            checkZeroPoint(key, z.zeroPoint(), min, max, qtype);
            scale = Tensor.of(new int[0], new float[] {(float) z.scale()});
            zeroPoint = Tensor.of(new int[0], new float[] {z.zeroPoint()}, DType.INT64);
        } else {
            int rank = data.rank();
            if (z.axis() < 0 || z.axis() >= rank) {
                throw new FormatException(file + ": tensor '" + key + "' is quantized per channel along axis "
                        + z.axis() + ", but has " + rank + " dimensions " + Arrays.toString(data.shape()));
            }
            if (z.axis() != 0) {
                throw new UnsupportedModelException(file + ": tensor '" + key + "' is quantized per channel along axis "
                        + z.axis() + "; resnet4j reads weights quantized per output channel (axis 0)");
            }
            int channels = data.dim(0);
            scale = decode.apply(key + " (scales)", z.scales());
            zeroPoint = decode.apply(key + " (zero points)", z.zeroPoints());
            if (scale.rank() != 1
                    || scale.dim(0) != channels
                    || zeroPoint.rank() != 1
                    || zeroPoint.dim(0) != channels) {
                throw new FormatException(file + ": tensor '" + key + "' " + Arrays.toString(data.shape())
                        + " is quantized per channel along axis 0 with " + Arrays.toString(scale.shape())
                        + " scales and " + Arrays.toString(zeroPoint.shape()) + " zero points, expected [" + channels
                        + "] of each");
            }
            float[] s = new float[channels];
            float[] zp = new float[channels];
            for (int c = 0; c < channels; c++) {
                checkScale(key + " channel " + c, scale.get(c));
                float v = zeroPoint.get(c);
                if (v != Math.rint(v)) {
                    throw new FormatException(
                            file + ": tensor '" + key + "' channel " + c + " has zero point " + v + ", not an integer");
                }
                checkZeroPoint(key + " channel " + c, (long) v, min, max, qtype);
                s[c] = (float) scale.get(c);
                zp[c] = v;
            }
            scale = Tensor.of(new int[] {channels}, s);
            zeroPoint = Tensor.of(new int[] {channels}, zp, DType.INT64);
        }
        kinds.merge((z.perChannel() ? "per-channel " : "per-tensor ") + qtype, 1, Integer::sum);
        StateDictSelector.put(file, sd, key, data);
        StateDictSelector.put(file, sd, key + "_scale", scale);
        StateDictSelector.put(file, sd, key + "_zero_point", zeroPoint);
    }

    private void checkScale(String what, double scale) {
        if (!(scale > 0) || !Double.isFinite(scale) || !((float) scale > 0) || !Float.isFinite((float) scale)) {
            throw new FormatException(file + ": tensor '" + what + "' has quantization scale " + scale
                    + ", expected a positive finite float32");
        }
    }

    private void checkZeroPoint(String what, long zp, long min, long max, String qtype) {
        if (zp < min || zp > max) {
            throw new FormatException(file + ": tensor '" + what + "' has zero point " + zp + ", outside " + qtype
                    + "'s " + min + " to " + max);
        }
    }

    /** {@code "per-channel qint8 (21)"}, kinds joined; null when no tensor was quantized. */
    String summary() {
        if (kinds.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        kinds.forEach(
                (k, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s (%d)", k, n)));
        return sb.toString();
    }
}
