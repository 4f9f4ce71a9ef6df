package org.resnet4j.engine.jvm.ops;

import org.resnet4j.arrays.HalfFloat;
import org.resnet4j.tensor.DType;

/**
 * Element types the Java engine holds: float32 and float16 in float arrays (float16 values rounded
 * to half precision, arithmetic in float32), and the integer types and bool in long arrays (shape
 * arithmetic in int64; a narrower type wraps as it does in ONNX Runtime).
 */
public enum ElemType {
    FLOAT,
    FLOAT16,
    INT64,
    INT32,
    /** Quantized weights and activations (QuantizeLinear, DequantizeLinear); data movement ops take it too. */
    INT8,
    UINT8,
    BOOL;

    /** The types as ONNX names them, for messages: "FLOAT, FLOAT16, INT64, ..." (the enum's names are ONNX's). */
    public static String onnxNames() {
        return String.join(
                ", ", java.util.Arrays.stream(values()).map(Enum::name).toList());
    }

    /** True for the types held as floats. */
    public boolean isFloat() {
        return this == FLOAT || this == FLOAT16;
    }

    /** An integer result narrowed to this type (two's complement wrap, bool is 0 or 1). */
    public long wrap(long v) {
        return switch (this) {
            case INT32 -> (int) v;
            case INT8 -> (byte) v;
            case UINT8 -> v & 0xff;
            case BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
    }

    /** A float result stored in this type: float16 rounds to half precision. */
    public float round(float v) {
        return this == FLOAT16 ? HalfFloat.toFloat(HalfFloat.fromFloat(v)) : v;
    }

    /** The engine type holding {@code t}, or null when the engine has none (float64, int16, ...). */
    public static ElemType of(DType t) {
        return t == null
                ? null
                : switch (t) {
                    case FLOAT32 -> FLOAT;
                    case FLOAT16 -> FLOAT16;
                    case INT64 -> INT64;
                    case INT32 -> INT32;
                    case INT8 -> INT8;
                    case UINT8 -> UINT8;
                    case BOOL -> BOOL;
                    default -> null;
                };
    }

    /** The tensor type of this engine type. */
    public DType dtype() {
        return switch (this) {
            case FLOAT -> DType.FLOAT32;
            case FLOAT16 -> DType.FLOAT16;
            case INT64 -> DType.INT64;
            case INT32 -> DType.INT32;
            case INT8 -> DType.INT8;
            case UINT8 -> DType.UINT8;
            case BOOL -> DType.BOOL;
        };
    }
}
