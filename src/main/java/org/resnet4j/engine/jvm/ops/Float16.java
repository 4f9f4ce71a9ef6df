package org.resnet4j.engine.jvm.ops;

import org.resnet4j.tensor.HalfFloat;

/** Rounding float32 to the nearest float16 (ties to even), as a float32 holding that value. */
final class Float16 {
    private Float16() {}

    static float round(float v) {
        return HalfFloat.toFloat(toBits(v));
    }

    // float32 -> binary16 bits, round to nearest even; overflow to infinity, NaN kept
    static short toBits(float v) {
        int f = Float.floatToRawIntBits(v);
        int sign = (f >>> 16) & 0x8000;
        int exp = (f >>> 23) & 0xff;
        int mant = f & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
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
