package org.resnet4j.engine.jvm.ops;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.tensor.HalfFloat;
import org.resnet4j.tensor.Shapes;

/**
 * Initializers and Constant tensors as engine values: float32 and float16 (as floats), int64, int32,
 * uint8 and bool (as longs).
 */
public final class Constants {
    private Constants() {}

    /** The value of {@code p}; {@code where} names it in messages. */
    public static Value fromProto(TensorProto p, String where) {
        if (p.hasDataLocation() && p.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new UnsupportedModelException(where + " is stored in an external file, which the Java engine does not read");
        }
        int type = p.getDataType();
        ElemType et = elemType(type);
        if (et == null) {
            throw new UnsupportedModelException(where + " has data type " + TensorProto.DataType.forNumber(type)
                    + ", expected one of FLOAT, FLOAT16, INT64, INT32, UINT8, BOOL");
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
                p.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            } else {
                checkCount(where, shape, n, p.getFloatDataCount(), "float_data");
                for (int i = 0; i < n; i++) {
                    f[i] = p.getFloatData(i);
                }
            }
            return Value.floats(shape, f);
        }
        if (et == ElemType.FLOAT16) {
            float[] f = new float[n];
            if (p.hasRawData()) {
                checkBytes(p, where, shape, (long) n * 2);
                ByteBuffer b = p.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    f[i] = HalfFloat.toFloat(b.getShort(2 * i));
                }
            } else {
                // int32_data holds the 16 bits of each value
                checkCount(where, shape, n, p.getInt32DataCount(), "int32_data");
                for (int i = 0; i < n; i++) {
                    f[i] = HalfFloat.toFloat((short) p.getInt32Data(i));
                }
            }
            return Value.of(ElemType.FLOAT16, shape, f, null);
        }
        long[] data = new long[n];
        if (et == ElemType.UINT8 || et == ElemType.BOOL) {
            if (p.hasRawData()) {
                checkBytes(p, where, shape, n);
                ByteBuffer b = p.getRawData().asReadOnlyByteBuffer();
                for (int i = 0; i < n; i++) {
                    data[i] = et.wrap(b.get(i) & 0xff);
                }
            } else {
                checkCount(where, shape, n, p.getInt32DataCount(), "int32_data");
                for (int i = 0; i < n; i++) {
                    data[i] = et.wrap(p.getInt32Data(i));
                }
            }
            return Value.of(et, shape, null, data);
        }
        if (type == TensorProto.DataType.INT64_VALUE) {
            if (p.hasRawData()) {
                checkBytes(p, where, shape, (long) n * 8);
                LongBuffer lb = p.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
                lb.get(data);
            } else {
                checkCount(where, shape, n, p.getInt64DataCount(), "int64_data");
                for (int i = 0; i < n; i++) {
                    data[i] = p.getInt64Data(i);
                }
            }
        } else {
            if (p.hasRawData()) {
                checkBytes(p, where, shape, (long) n * 4);
                IntBuffer ib = p.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
                for (int i = 0; i < n; i++) {
                    data[i] = ib.get(i);
                }
            } else {
                checkCount(where, shape, n, p.getInt32DataCount(), "int32_data");
                for (int i = 0; i < n; i++) {
                    data[i] = p.getInt32Data(i);
                }
            }
        }
        return Value.of(et, shape, null, data);
    }

    /** The engine type of an ONNX TensorProto data type, or null when the engine has none. */
    public static ElemType elemType(int onnxType) {
        return switch (TensorProto.DataType.forNumber(onnxType) == null ? TensorProto.DataType.UNDEFINED
                : TensorProto.DataType.forNumber(onnxType)) {
            case FLOAT -> ElemType.FLOAT;
            case FLOAT16 -> ElemType.FLOAT16;
            case INT64 -> ElemType.INT64;
            case INT32 -> ElemType.INT32;
            case UINT8 -> ElemType.UINT8;
            case BOOL -> ElemType.BOOL;
            default -> null;
        };
    }

    /** The ONNX data type of an engine type. */
    public static TensorProto.DataType onnxType(ElemType t) {
        return switch (t) {
            case FLOAT -> TensorProto.DataType.FLOAT;
            case FLOAT16 -> TensorProto.DataType.FLOAT16;
            case INT64 -> TensorProto.DataType.INT64;
            case INT32 -> TensorProto.DataType.INT32;
            case UINT8 -> TensorProto.DataType.UINT8;
            case BOOL -> TensorProto.DataType.BOOL;
        };
    }

    private static void checkBytes(TensorProto p, String where, int[] shape, long need) {
        if (p.getRawData().size() != need) {
            throw new FormatException(where + " of shape " + Shapes.format(shape) + " needs " + need
                    + " bytes, raw_data has " + p.getRawData().size());
        }
    }

    private static void checkCount(String where, int[] shape, int n, int have, String field) {
        if (have != n) {
            throw new FormatException(where + " of shape " + Shapes.format(shape) + " needs " + n + " values, "
                    + field + " has " + have);
        }
    }
}
