package org.resnet4j.engine.jvm.ops;

import java.nio.ByteOrder;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.tensor.DType;

/**
 * Initializers and Constant tensors as engine values: float32 and float16 (as floats), int64, int32,
 * int8, uint8 and bool (as longs).
 */
public final class Constants {
    private Constants() {}

    /** The value of {@code p}; {@code where} names it in messages. */
    public static Value fromProto(TensorProto p, String where) {
        if (p.hasDataLocation() && p.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new UnsupportedModelException(
                    where + " is stored in an external file, which the Java engine does not read");
        }
        int type = p.getDataType();
        ElemType et = elemType(type);
        if (et == null) {
            throw new UnsupportedModelException(where + " has data type " + TensorProto.DataType.forNumber(type)
                    + ", expected one of " + ElemType.onnxNames());
        }
        int[] shape = new int[p.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            long d = p.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new FormatException(where + " has dimension " + d);
            }
            shape[i] = (int) d;
        }
        int n = Shapes.numel(shape);
        if (type == TensorProto.DataType.FLOAT_VALUE) {
            // read straight into the array the engine keeps: one copy of the weights, not two
            float[] f = new float[n];
            if (p.hasRawData()) {
                checkBytes(p, where, shape, (long) n * 4);
                p.getRawData()
                        .asReadOnlyByteBuffer()
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(f);
            } else {
                checkCount(where, shape, n, p.getFloatDataCount(), "float_data");
                for (int i = 0; i < n; i++) {
                    f[i] = p.getFloatData(i);
                }
            }
            return Value.floats(shape, f);
        }
        // the other types are small (shape operands, masks): decoded by the library's one reader
        return Value.of(Onnx.toAnyTensor(p));
    }

    /** The engine type of an ONNX TensorProto data type, or null when the engine has none. */
    public static ElemType elemType(int onnxType) {
        return ElemType.of(DType.fromOnnxCode(onnxType));
    }

    private static void checkBytes(TensorProto p, String where, int[] shape, long need) {
        if (p.getRawData().size() != need) {
            throw new FormatException(where + " of shape " + Shapes.format(shape) + " needs " + need
                    + " bytes, raw_data has " + p.getRawData().size());
        }
    }

    private static void checkCount(String where, int[] shape, int n, int have, String field) {
        if (have != n) {
            throw new FormatException(
                    where + " of shape " + Shapes.format(shape) + " needs " + n + " values, " + field + " has " + have);
        }
    }
}
