package org.resnet4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.resnet4j.arrays.HalfFloat;

class TensorTest {

    @Test
    void typedFactoriesKeepTheirTypeAndValues() {
        Tensor l = Tensor.ofLongs(new int[] {3}, new long[] {-1, 1L << 40, 7});
        assertEquals(DType.INT64, l.dtype());
        assertArrayEquals(new long[] {-1, 1L << 40, 7}, l.toLongArray());
        assertEquals(1L << 40, l.getLong(1));

        Tensor i = Tensor.ofInts(new int[] {2, 1}, new int[] {-5, 9});
        assertEquals(DType.INT32, i.dtype());
        assertArrayEquals(new int[] {-5, 9}, i.toIntArray());

        Tensor u = Tensor.ofUint8(new int[] {2}, new byte[] {(byte) 255, 3});
        assertEquals(255, u.getLong(0), "uint8 reads unsigned");
        assertEquals(255.0, u.getDouble(0));

        Tensor b = Tensor.ofBools(new int[] {3}, new boolean[] {true, false, true});
        assertArrayEquals(new boolean[] {true, false, true}, b.toBooleanArray());
        assertArrayEquals(new long[] {1, 0, 1}, b.toLongArray());

        Tensor scalar = Tensor.ofLongs(new int[0], new long[] {42});
        assertEquals(0, scalar.rank());
        assertEquals(1, scalar.numel());
        assertEquals(42, scalar.getLong(0));
    }

    @Test
    void littleEndianBytesAreTheNumpyLayout() {
        ByteBuffer le =
                Tensor.ofLongs(new int[] {1}, new long[] {0x0102030405060708L}).toLittleEndianBytes();
        assertEquals(8, le.remaining());
        assertEquals(0x08, le.get(0));
        assertEquals(0x01, le.get(7));
        ByteBuffer bytes =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-2).putInt(3);
        bytes.flip();
        assertArrayEquals(
                new int[] {-2, 3},
                Tensor.overLittleEndian(DType.INT32, new int[] {2}, bytes).toIntArray());
        assertThrows(
                IllegalArgumentException.class,
                () -> Tensor.overLittleEndian(DType.INT64, new int[] {2}, ByteBuffer.allocate(12)));
    }

    @Test
    void floatApiReadsFloat16ButRefusesIntegers() {
        // 1.0 = 0x3c00, -2.5 = 0xc100
        Tensor h = Tensor.ofFloat16Bits(new int[] {2}, new short[] {0x3c00, (short) 0xc100});
        assertEquals(DType.FLOAT16, h.dtype());
        assertArrayEquals(new float[] {1f, -2.5f}, h.toArray());
        assertEquals(-2.5f, h.buffer().get(1));
        var e = assertThrows(
                IllegalStateException.class,
                () -> Tensor.ofLongs(new int[] {1}, new long[] {1}).toArray());
        assertContains(e.getMessage(), "int64", "toLongArray");
    }

    @Test
    void astypeFollowsOnnxCast() {
        Tensor f = Tensor.of(new int[] {5}, new float[] {-2.7f, -0.5f, 0f, 2.7f, 300f});
        assertArrayEquals(new long[] {-2, 0, 0, 2, 300}, f.astype(DType.INT64).toLongArray(), "truncation toward zero");
        assertArrayEquals(new int[] {-2, 0, 0, 2, 300}, f.astype(DType.INT32).toIntArray());
        assertArrayEquals(new long[] {254, 0, 0, 2, 44}, f.astype(DType.UINT8).toLongArray(), "low 8 bits, as C casts");
        assertArrayEquals(
                new boolean[] {true, true, false, true, true},
                f.astype(DType.BOOL).toBooleanArray());
        assertArrayEquals(
                new float[] {1, 0, 1},
                Tensor.ofBools(new int[] {3}, new boolean[] {true, false, true})
                        .astype(DType.FLOAT32)
                        .toArray());
        assertArrayEquals(
                new float[] {-2.69921875f, -0.5f, 0f, 2.69921875f, 300f},
                f.astype(DType.FLOAT16).toArray(),
                "float16 keeps 11 significant bits");
        assertSame(f, f.astype(DType.FLOAT32));
        long big = (1L << 53) + 1;
        assertEquals(
                big,
                Tensor.ofLongs(new int[] {1}, new long[] {big})
                        .astype(DType.INT64)
                        .getLong(0));
        assertEquals(
                (int) (big),
                Tensor.ofLongs(new int[] {1}, new long[] {big})
                        .astype(DType.INT32)
                        .toIntArray()[0]);
        assertThrows(IllegalArgumentException.class, () -> f.astype(DType.FLOAT64));
    }

    @Test
    void halfFromFloatInvertsToFloatForEveryHalf() {
        // every pattern, NaNs with their payloads (signalling and quiet) included
        for (int bits = 0; bits < 0x10000; bits++) {
            float v = HalfFloat.toFloat((short) bits);
            assertEquals((short) bits, HalfFloat.fromFloat(v), "half 0x" + Integer.toHexString(bits));
        }
        // a float NaN whose payload lies below the half's 10 bits stays a NaN
        assertTrue(Float.isNaN(HalfFloat.toFloat(HalfFloat.fromFloat(Float.intBitsToFloat(0x7f800001)))));
    }

    @Test
    void halfFromFloatRoundsToNearestEven() {
        // between 1.0 (0x3c00) and the next half 1 + 2^-10 (0x3c01): the midpoint rounds to even 0x3c00
        assertEquals((short) 0x3c00, HalfFloat.fromFloat(1f + 0x1p-11f));
        assertEquals((short) 0x3c01, HalfFloat.fromFloat(1f + 0x1p-11f + 0x1p-20f));
        // midpoint between 0x3c01 and 0x3c02 rounds up to the even 0x3c02
        assertEquals((short) 0x3c02, HalfFloat.fromFloat(1f + 3 * 0x1p-11f));
        assertEquals((short) 0x7c00, HalfFloat.fromFloat(65520f), "rounds past the largest half to infinity");
        assertEquals((short) 0x7bff, HalfFloat.fromFloat(65519f));
        assertEquals((short) 0x0001, HalfFloat.fromFloat(0x1p-24f), "smallest subnormal");
        assertEquals((short) 0x0000, HalfFloat.fromFloat(0x1p-25f), "half the smallest subnormal ties to even zero");
        assertEquals((short) 0x0001, HalfFloat.fromFloat(0x1.8p-25f));
        assertEquals((short) 0x8000, HalfFloat.fromFloat(-0f));
    }

    @Test
    void reshapeAndSourceTypeKeepTheDtype() {
        Tensor l = Tensor.ofLongs(new int[] {2, 2}, new long[] {1, 2, 3, 4});
        assertEquals(DType.INT64, l.reshape(4).dtype());
        assertArrayEquals(new long[] {1, 2, 3, 4}, l.reshape(4).toLongArray());
        Tensor widened = Tensor.of(new int[] {1}, new float[] {3}, DType.INT64);
        assertEquals(DType.FLOAT32, widened.dtype());
        assertEquals(DType.INT64, widened.sourceType());
        assertEquals(DType.BOOL, Tensor.zeros(DType.BOOL, 2, 3).dtype());
        assertEquals(6, Tensor.zeros(DType.BOOL, 2, 3).numel());
    }
}
