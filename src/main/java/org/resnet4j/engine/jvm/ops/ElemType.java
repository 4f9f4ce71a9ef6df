package org.resnet4j.engine.jvm.ops;

/**
 * Element types the Java engine holds: float32 and float16 in float arrays (float16 values rounded
 * to half precision, arithmetic in float32), and the integer types and bool in long arrays (shape
 * arithmetic in int64; a narrower type wraps as it does in ONNX Runtime).
 */
public enum ElemType {
    FLOAT, FLOAT16, INT64, INT32, UINT8, BOOL;

    /** True for the types held as floats. */
    public boolean isFloat() {
        return this == FLOAT || this == FLOAT16;
    }

    /** An integer result narrowed to this type (two's complement wrap, bool is 0 or 1). */
    public long wrap(long v) {
        return switch (this) {
            case INT32 -> (int) v;
            case UINT8 -> v & 0xff;
            case BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
    }

    /** A float result stored in this type: float16 rounds to half precision. */
    public float round(float v) {
        return this == FLOAT16 ? Float16.round(v) : v;
    }
}
