package org.resnet4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException;

class NpyTest {
    @TempDir
    Path dir;

    /** A .npy as NumPy 1.x writes it (version 1.0, header padded to 64 bytes). */
    private static byte[] npy(String descr, String shape, ByteBuffer data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = 64 - (10 + dict.length() + 1) % 64;
        String header = dict + " ".repeat(pad % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.limit()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
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
        ByteBuffer f64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-2.5);
        Files.write(dir.resolve("a.npy"), npy("<f8", "(2,)", f64));
        assertArrayEquals(new float[] {0.1f, -2.5f}, Npy.read(dir.resolve("a.npy")).toArray());

        // float16: 1.0 = 0x3c00, -2.0 = 0xc000, smallest subnormal 0x0001 = 2^-24, inf 0x7c00
        ByteBuffer f16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x0001).putShort((short) 0x7c00);
        Files.write(dir.resolve("h.npy"), npy("<f2", "(2, 2)", f16));
        Tensor h = Npy.read(dir.resolve("h.npy"));
        assertArrayEquals(new int[] {2, 2}, h.shape());
        assertArrayEquals(new float[] {1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY}, h.toArray());

        ByteBuffer be = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(3.25f).putFloat(-1f);
        Files.write(dir.resolve("b.npy"), npy(">f4", "(1, 2)", be));
        assertArrayEquals(new float[] {3.25f, -1f}, Npy.read(dir.resolve("b.npy")).toArray());
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
        assertTrue(e.getMessage().contains("short.npy") && e.getMessage().contains("24 bytes")
                && e.getMessage().contains("holds 16 bytes"), e.getMessage());

        Files.write(dir.resolve("obj.npy"), npy("|O", "(2,)", ByteBuffer.allocate(16)));
        var u = assertThrows(ResNet4jException.UnsupportedModelException.class, () -> Npy.read(dir.resolve("obj.npy")));
        assertTrue(u.getMessage().contains("'|O'"), u.getMessage());

        Files.writeString(dir.resolve("text.npy"), "hello");
        assertThrows(ResNet4jException.FormatException.class, () -> Npy.read(dir.resolve("text.npy")));
        var missing = assertThrows(ResNet4jException.class, () -> Npy.read(dir.resolve("nope.npy")));
        assertTrue(missing.getMessage().contains("nope.npy"), missing.getMessage());
    }
}
