package org.resnet4j.arrays;

/**
 * IEEE 754 half precision (binary16) and bfloat16 to float32, exactly (every half and bfloat16
 * value is representable in float32), and float32 to half, rounding to nearest even. Java 17 has
 * no {@code Float.float16ToFloat} / {@code floatToFloat16}.
 */
public final class HalfFloat {
    private HalfFloat() {}

    public static float toFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            // inf or NaN: keep the payload's top bits
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: mant * 2^-24, exact in float32
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /**
     * float32 to binary16, rounding to nearest even; overflow gives infinity, NaN stays NaN with its
     * payload, so that {@code fromFloat(toFloat(h)) == h} for every half {@code h}.
     */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            // NaN keeps its payload's top 10 bits (a half NaN comes back bit for bit, signalling or
            // quiet); one whose payload lies only in the low 13 bits becomes the quiet NaN
            int payload = mant >>> 13;
            return (short) (sign | 0x7c00 | (mant == 0 ? 0 : payload != 0 ? payload : 0x200));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            // subnormal: shift the full mantissa (with its implicit 1) into 10 bits, round to nearest even
            int m = mant | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, up to infinity: still correct
        }
        return (short) (sign | half);
    }
}
