package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;

class NpyTest {
    @TempDir
    Path dir;

    /** A .npy as NumPy 1.x writes it (version 1.0, header padded to 64 bytes). */
    private static byte[] npy(String descr, String shape, ByteBuffer data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = 64 - (10 + dict.length() + 1) % 64;
        String header = dict + " ".repeat(pad % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.limit()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 1)
                .put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        data.rewind();
        b.put(data);
        return b.array();
    }

    @Test
    void writesWhatNumpyWrites() throws Exception {
        Tensor t = Tensor.of(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6.5f});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(t, out);
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : new float[] {1, 2, 3, 4, 5, 6.5f}) {
            data.putFloat(f);
        }
        assertArrayEquals(npy("<f4", "(2, 3)", data), out.toByteArray());
    }

    @Test
    void readsFloat64Float16AndBigEndian() throws Exception {
        ByteBuffer f64 = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putDouble(0.1)
                .putDouble(-2.5);
        Files.write(dir.resolve("a.npy"), npy("<f8", "(2,)", f64));
        assertArrayEquals(
                new float[] {0.1f, -2.5f}, Npy.read(dir.resolve("a.npy")).toArray());

        // float16: 1.0 = 0x3c00, -2.0 = 0xc000, smallest subnormal 0x0001 = 2^-24, inf 0x7c00
        ByteBuffer f16 = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3c00)
                .putShort((short) 0xc000)
                .putShort((short) 0x0001)
                .putShort((short) 0x7c00);
        Files.write(dir.resolve("h.npy"), npy("<f2", "(2, 2)", f16));
        Tensor h = Npy.read(dir.resolve("h.npy"));
        assertArrayEquals(new int[] {2, 2}, h.shape());
        assertArrayEquals(new float[] {1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY}, h.toArray());

        ByteBuffer be = ByteBuffer.allocate(8)
                .order(ByteOrder.BIG_ENDIAN)
                .putFloat(3.25f)
                .putFloat(-1f);
        Files.write(dir.resolve("b.npy"), npy(">f4", "(1, 2)", be));
        assertArrayEquals(
                new float[] {3.25f, -1f}, Npy.read(dir.resolve("b.npy")).toArray());
    }

    @Test
    void readsIntegerAndBoolArraysKeepingTheirType() throws Exception {
        ByteBuffer i8 = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(-3)
                .putLong(1L << 40);
        Files.write(dir.resolve("l.npy"), npy("<i8", "(2,)", i8));
        Tensor l = Npy.read(dir.resolve("l.npy"));
        assertEquals(DType.INT64, l.dtype());
        assertArrayEquals(new long[] {-3, 1L << 40}, l.toLongArray());

        ByteBuffer i4be =
                ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(-7).putInt(65536);
        Files.write(dir.resolve("i.npy"), npy(">i4", "(1, 2)", i4be));
        Tensor i = Npy.read(dir.resolve("i.npy"));
        assertEquals(DType.INT32, i.dtype());
        assertArrayEquals(new int[] {-7, 65536}, i.toIntArray(), "big-endian swapped");

        Files.write(dir.resolve("u.npy"), npy("|u1", "(3,)", ByteBuffer.wrap(new byte[] {0, (byte) 200, 7})));
        assertArrayEquals(new long[] {0, 200, 7}, Npy.read(dir.resolve("u.npy")).toLongArray());

        Files.write(dir.resolve("b.npy"), npy("|b1", "(2, 1)", ByteBuffer.wrap(new byte[] {1, 0})));
        Tensor b = Npy.read(dir.resolve("b.npy"));
        assertEquals(DType.BOOL, b.dtype());
        assertArrayEquals(new boolean[] {true, false}, b.toBooleanArray());

        ByteBuffer f16 = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3c00);
        Files.write(dir.resolve("h.npy"), npy("<f2", "()", f16));
        assertEquals(DType.FLOAT16, Npy.read(dir.resolve("h.npy")).dtype(), "float16 stays float16");
        assertEquals(0, Npy.read(dir.resolve("h.npy")).rank());
    }

    @Test
    void writesEveryTypeAsNumpyDoes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(Tensor.ofLongs(new int[] {2}, new long[] {5, -1}), out);
        ByteBuffer i8 = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(5)
                .putLong(-1);
        assertArrayEquals(npy("<i8", "(2,)", i8), out.toByteArray());

        out.reset();
        Npy.write(Tensor.ofBools(new int[] {1, 2}, new boolean[] {false, true}), out);
        assertArrayEquals(npy("|b1", "(1, 2)", ByteBuffer.wrap(new byte[] {0, 1})), out.toByteArray());

        for (Tensor t : new Tensor[] {
            Tensor.ofInts(new int[] {2}, new int[] {1, -2}),
            Tensor.ofUint8(new int[] {2}, new byte[] {(byte) 255, 0}),
            Tensor.ofFloat16Bits(new int[] {1, 1}, new short[] {(short) 0xc100})
        }) {
            Path f = dir.resolve(t.dtype() + ".npy");
            Npy.write(t, f);
            Tensor back = Npy.read(f);
            assertEquals(t.dtype(), back.dtype());
            assertArrayEquals(t.shape(), back.shape());
            assertEquals(
                    t.toLittleEndianBytes(),
                    back.toLittleEndianBytes(),
                    t.dtype().label());
        }
    }

    @Test
    void roundTripsThroughAFile() throws Exception {
        Tensor t = Tensor.of(new int[] {1, 3, 2, 2}, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -11});
        Npy.write(t, dir.resolve("x.npy"));
        Tensor back = Npy.read(dir.resolve("x.npy"));
        assertArrayEquals(t.shape(), back.shape());
        assertArrayEquals(t.toArray(), back.toArray());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void refusesHeadersThatLie() throws Exception {
        ByteBuffer four = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        Files.write(dir.resolve("short.npy"), npy("<f4", "(2, 3)", four));
        var e = assertThrows(ResNet4jException.FormatException.class, () -> Npy.read(dir.resolve("short.npy")));
        assertContains(e.getMessage(), "short.npy", "24 bytes", "holds 16 bytes");

        Files.write(dir.resolve("obj.npy"), npy("|O", "(2,)", ByteBuffer.allocate(16)));
        var u = assertThrows(ResNet4jException.UnsupportedModelException.class, () -> Npy.read(dir.resolve("obj.npy")));
        assertContains(u.getMessage(), "'|O'", "<i8");

        Files.writeString(dir.resolve("text.npy"), "hello");
        assertThrows(ResNet4jException.FormatException.class, () -> Npy.read(dir.resolve("text.npy")));
        var missing = assertThrows(ResNet4jException.class, () -> Npy.read(dir.resolve("nope.npy")));
        assertTrue(missing.getMessage().contains("nope.npy"), missing.getMessage());
    }

    /** A version 1.0 .npy with {@code dict} as its header text, as given. */
    private static byte[] npyWithHeader(String dict, byte[] data) {
        String header = dict + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 1)
                .put((byte) 0);
        b.putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.ISO_8859_1))
                .put(data);
        return b.array();
    }

    private Tensor readHeader(String name, String dict, byte[] data) throws Exception {
        Files.write(dir.resolve(name), npyWithHeader(dict, data));
        return Npy.read(dir.resolve(name));
    }

    /**
     * The header is the Python literal NumPy reads with ast.literal_eval: either quoting, tuples as
     * Python writes them, Python 2's L suffix; a key given twice (NumPy would take the last) or any
     * other key, a shape that is not a tuple and a fortran_order that is not a bool are refused.
     */
    @Test
    void readsTheHeaderAsThePythonLiteralNumpyReads() throws Exception {
        byte[] six = new byte[24];
        Tensor t = readHeader("dq.npy", "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}", six);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        t = readHeader("py2.npy", "{'descr': u'<f4', 'fortran_order': False, 'shape': (2L, 3L), }", six);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        t = readHeader("scalar.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': ()}", new byte[4]);
        assertArrayEquals(new int[0], t.shape());
        String[][] refused = {
            {"{'descr': '<f4', \"descr\": '>f4', 'fortran_order': False, 'shape': (6,)}", "'descr' is given twice"},
            {"{'descr': '<f4', 'fortran_order': False, \"fortran_order\": True, 'shape': (6,)}", "given twice"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (6,), \"extra\": 1}", "[descr, extra, fortran_order"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", "shape is 6, expected a tuple"},
            {"{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}", "fortran_order is 0"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} x", "after the dict"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'a')}", "not a tuple of ints"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'shape': (6,)}", "given twice"},
            {"{'descr': '<f4' 'fortran_order': False, 'shape': (6,)}", "expected ','"},
        };
        for (String[] c : refused) {
            Files.write(dir.resolve("bad.npy"), npyWithHeader(c[0], six));
            ResNet4jException e = assertThrows(ResNet4jException.class, () -> Npy.read(dir.resolve("bad.npy")), c[0]);
            assertContains(e.getMessage(), c[1], "bad.npy");
        }
    }

    /** Bool bytes other than 0 and 1 are True, as NumPy reads them, and reach every engine as 1. */
    @Test
    void boolBytesAreReadAsNumpyReadsThem() throws Exception {
        Tensor t = readHeader("b.npy", "{'descr': '|b1', 'fortran_order': False, 'shape': (5,), }", new byte[] {
            0, 1, 2, (byte) 128, (byte) 255
        });
        assertEquals(DType.BOOL, t.dtype());
        assertArrayEquals(new float[] {0, 1, 1, 1, 1}, t.astype(DType.FLOAT32).toArray());
    }
}
