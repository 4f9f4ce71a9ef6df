package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.HalfFloat;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;

class TensorDecoderTest {
    private static ByteBuffer floats(int n) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(i);
        }
        return b.flip();
    }

    private final TensorDecoder decoder = new TensorDecoder("f.pth", 1 << 20);

    @Test
    void stridedViewsGatherInCOrder() {
        // storage 0..11 viewed as the transpose of a 3x4: shape (4, 3), strides (1, 4)
        Tensor t = decoder.decode("t", DType.FLOAT32, floats(12), 12, 0, new long[] {4, 3}, new long[] {1, 4});
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, t.toArray());
        // offset 5, shape (2, 2), strides (3, 0): an expanded column
        Tensor e = decoder.decode("e", DType.FLOAT32, floats(12), 12, 5, new long[] {2, 2}, new long[] {3, 0});
        assertArrayEquals(new float[] {5, 5, 8, 8}, e.toArray());
    }

    @Test
    void viewsOutsideTheirStorageNameTheKey() {
        UnsafeContentException e = assertThrows(
                UnsafeContentException.class,
                () -> decoder.decode(
                        "layer1.0.conv1.weight", DType.FLOAT32, floats(12), 12, 3, new long[] {10}, new long[] {1}));
        assertContains(e.getMessage(), "layer1.0.conv1.weight", "element 12");
        assertThrows(
                FormatException.class,
                () -> decoder.decode(
                        "k", DType.FLOAT32, floats(12), 12, 0, new long[] {1L << 30, 1L << 30}, new long[] {1L << 40, 1
                        }));
    }

    @Test
    void storageByteLengthMustMatchItsElementCount() {
        FormatException e = assertThrows(
                FormatException.class,
                () -> decoder.decode("k", DType.FLOAT32, floats(12), 13, 0, new long[] {12}, new long[] {1}));
        assertContains(e.getMessage(), "48 bytes", "52 bytes");
    }

    @Test
    void expandingAStorageBeyondTheBudgetIsRefused() {
        TensorDecoder small = new TensorDecoder("f.pth", 1000);
        UnsafeContentException e = assertThrows(
                UnsafeContentException.class,
                () -> small.decode("bomb", DType.FLOAT32, floats(1), 1, 0, new long[] {100_000}, new long[] {0}));
        assertContains(e.getMessage(), "'bomb'", "400000 bytes");
    }

    @Test
    void unsupportedDtypesNameKeyAndDtype() {
        UnsupportedModelException e = assertThrows(
                UnsupportedModelException.class,
                () -> decoder.decode("mask", DType.BOOL, ByteBuffer.allocate(4), 4, 0, new long[] {4}, new long[] {1}));
        assertContains(e.getMessage(), "'mask'", "bool");
    }

    @Test
    void halfToFloatMatchesAnIndependentDoubleComputationForAll65536Values() {
        for (int h = 0; h < 65536; h++) {
            int sign = h >> 15;
            int exp = (h >> 10) & 0x1f;
            int mant = h & 0x3ff;
            double v = exp == 0
                    ? mant * Math.pow(2, -24)
                    : exp == 31
                            ? (mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                            : (1 + mant / 1024.0) * Math.pow(2, exp - 15);
            float want = (float) (sign == 1 ? -v : v);
            float got = HalfFloat.toFloat((short) h);
            if (Float.isNaN(want)) {
                assertTrue(Float.isNaN(got), "half 0x" + Integer.toHexString(h));
            } else {
                assertEquals(
                        Float.floatToRawIntBits(want),
                        Float.floatToRawIntBits(got),
                        "half 0x" + Integer.toHexString(h));
            }
        }
        assertEquals(1.0f, HalfFloat.bfloat16ToFloat((short) 0x3f80));
    }
}
