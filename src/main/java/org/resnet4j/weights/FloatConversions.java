package org.resnet4j.weights;

/**
 * Widening of the reduced-precision float formats to float32, bit-exact with PyTorch's
 * {@code .float()} (Java 17 has no {@code Float.float16ToFloat}).
 */
public final class FloatConversions {
    private FloatConversions() {}

    /** IEEE 754 binary16 bits to float32: exact for every value, subnormals, infinities; NaN stays NaN. */
    public static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            // inf (mant 0) or NaN, payload kept in the high mantissa bits, quiet bit set as C casts do
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13) | (mant != 0 ? 0x00400000 : 0));
        }
        if (exp == 0) {
            // zero or subnormal: mant * 2^-24, exact in float32
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** bfloat16 bits are the upper half of a float32. */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
