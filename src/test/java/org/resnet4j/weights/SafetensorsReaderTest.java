package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;

/** safetensors headers that lie about offsets, sizes and dtypes. */
class SafetensorsReaderTest {
    @TempDir
    Path tmp;

    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (int i = 0; i < dataBytes / 4; i++) {
            b.putFloat(i + 0.5f);
        }
        Path p = tmp.resolve("t" + System.nanoTime() + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static String fails(Class<? extends ResNet4jException> type, Path p) {
        ResNet4jException e = assertThrows(type, () -> CheckpointLoader.load(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void wellFormedFileLoads() throws IOException {
        Path p = file(
                "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"__metadata__\":{\"k\":\"v\"}}",
                16);
        LoadedCheckpoint c = CheckpointLoader.load(p);
        assertEquals(2.5f, c.tensors().get("b").get(0));
        assertEquals(0.5f, c.tensors().get("a").get(0));
        assertEquals(
                java.util.List.of("b", "a"), java.util.List.copyOf(c.tensors().names()));
    }

    @Test
    void gapsOverlapsAndShortDataAreRefused() throws IOException {
        assertTrue(fails(
                        FormatException.class,
                        file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8))
                .contains("gap"));
        assertTrue(fails(
                        FormatException.class,
                        file(
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                                8))
                .contains("overlaps"));
        assertTrue(fails(
                        FormatException.class,
                        file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8))
                .contains("truncated"));
        assertTrue(fails(
                        FormatException.class,
                        file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8))
                .contains("cover 4 bytes"));
    }

    @Test
    void shapeAndByteCountMustAgree() throws IOException {
        String m = fails(
                FormatException.class, file("{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8));
        assertContains(m, "'w'", "needs 6 bytes", "hold 8");
        assertTrue(fails(
                        FormatException.class,
                        file(
                                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4],"
                                        + "\"data_offsets\":[0,8]}}",
                                8))
                .contains("overflows"));
        assertTrue(fails(
                        FormatException.class,
                        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2]," + "\"data_offsets\":[0,8]}}", 8))
                .contains("non-negative"));
    }

    @Test
    void unsupportedDtypeNamesKeyAndDtype() throws IOException {
        String m = fails(
                UnsupportedModelException.class,
                file("{\"layer.w\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
        assertContains(m, "'layer.w'", "I32", "F32");
    }

    @Test
    void badHeadersAreFormatErrors() throws IOException {
        // the header is parsed as a stream: a duplicate is found when its second name is read
        assertTrue(fails(FormatException.class, file("{\"__metadata__\":{},\"__metadata__\":{}}", 0))
                .contains("not valid JSON"));
        assertTrue(fails(FormatException.class, file("{\"a\":1,\"a\":2}", 0)).contains("data_offsets"));
        assertTrue(fails(FormatException.class, file("{\"a\":{\"dtype\":\"F32\"}}", 0))
                .contains("data_offsets"));
        Path lying = tmp.resolve("lying.safetensors");
        Files.write(lying, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertTrue(fails(FormatException.class, lying).contains("header length"));
        Path key = file("{}", 0);
        assertTrue(assertThrows(FormatException.class, () -> CheckpointLoader.load(key, "model"))
                .getMessage()
                .contains("flat state dict"));
    }
}
