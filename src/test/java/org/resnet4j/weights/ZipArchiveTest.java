package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;

/** Our zip reader on ZIP64 archives and on hostile ones, built entry by entry from views.pth. */
class ZipArchiveTest {
    @TempDir
    Path tmp;

    private Path rewrite(String name, boolean zip64, Consumer<List<TinyZip.E>> edit) throws IOException {
        List<TinyZip.E> entries = TinyZip.entriesOf(Fixtures.file("views.pth"));
        edit.accept(entries);
        Path p = tmp.resolve(name);
        Files.write(p, TinyZip.write(entries, zip64));
        return p;
    }

    private static TinyZip.E entry(List<TinyZip.E> entries, String name) {
        return entries.stream().filter(e -> e.name.equals(name)).findFirst().orElseThrow();
    }

    private static <T extends ResNet4jException> String fails(Class<T> type, Path p) {
        T e = assertThrows(type, () -> CheckpointLoader.load(p));
        assertTrue(e.getMessage().contains(p.toString()), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void zip64RecordsAndAnotherArchiveFolderName() throws IOException {
        Path p = rewrite("z64.pth", true, es -> es.forEach(e -> e.name = e.name.replace("views/", "my model-v2/")));
        LoadedCheckpoint c = CheckpointLoader.load(p);
        Fixtures.assertMatches("views", c.tensors());
        assertTrue(c.tensors().get("plain.weight").toLittleEndianBytes().isDirect());
    }

    @Test
    void deflatedEntriesWithZip64() throws IOException {
        Path p = rewrite("deflated64.pth", true, es -> es.forEach(e -> e.deflate = true));
        Fixtures.assertMatches("views", CheckpointLoader.load(p).tensors());
    }

    @Test
    void duplicateNamesAreRefused() throws IOException {
        Path p = rewrite("dup.pth", false, es -> entry(es, "views/data/1").name = "views/data/0");
        assertTrue(fails(UnsafeContentException.class, p).contains("'views/data/0' appears twice"));
    }

    @Test
    void namesEscapingTheArchiveAreRefused() throws IOException {
        Path dots = rewrite("dots.pth", false, es -> entry(es, "views/data/3").name = "views/../../etc/passwd");
        assertTrue(fails(UnsafeContentException.class, dots).contains("escapes the archive folder"));
        Path abs = rewrite("abs.pth", false, es -> entry(es, "views/data/3").name = "/tmp/x");
        assertTrue(fails(UnsafeContentException.class, abs).contains("'/tmp/x'"));
        Path outside = rewrite("outside.pth", false, es -> entry(es, "views/version").name = "other/version");
        assertTrue(fails(UnsafeContentException.class, outside).contains("outside the archive folder 'views/'"));
    }

    @Test
    void missingDataPklIsReported() throws IOException {
        Path p = rewrite("nopkl.pth", false, es -> es.removeIf(e -> e.name.endsWith("data.pkl")));
        assertTrue(fails(FormatException.class, p).contains("'<archive>/data.pkl'"));
    }

    @Test
    void missingStorageNamesTheTensor() throws IOException {
        Path p = rewrite("nostorage.pth", false, es -> es.removeIf(e -> e.name.equals("views/data/0")));
        String m = fails(FormatException.class, p);
        assertContains(m, "'plain.weight'", "views/data/0");
    }

    @Test
    void storageOfTheWrongSizeIsReported() throws IOException {
        Path p = rewrite("short.pth", false, es -> entry(es, "views/data/0").data = new byte[44]);
        String m = fails(FormatException.class, p);
        assertContains(m, "'plain.weight'", "44 bytes", "48 bytes");
    }

    @Test
    void sizesBeyondTheFileAreReported() throws IOException {
        Path p = rewrite("huge.pth", true, es -> {
            TinyZip.E e = entry(es, "views/data/2");
            e.declaredSize = 1L << 40;
            e.declaredCompressed = 1L << 40;
        });
        String m = fails(FormatException.class, p);
        assertContains(m, "views/data/2", "(truncated or corrupt)");
    }

    @Test
    void deflateBombIsRefused() throws IOException {
        Path p = rewrite("bomb.pth", false, es -> {
            TinyZip.E e = entry(es, "views/data/2");
            e.deflate = true;
            e.declaredSize = 2_000_000_000L;
        });
        assertTrue(fails(UnsafeContentException.class, p).contains("decompression bomb"));
    }

    @Test
    void corruptDataFailsTheCrc() throws IOException {
        Path p = rewrite("crc.pth", false, es -> {
            TinyZip.E e = entry(es, "views/data/0");
            e.data = e.data.clone();
            e.data[5] ^= 1;
        });
        Files.write(p, restoreDataByte(Files.readAllBytes(p)));
        assertTrue(fails(FormatException.class, p).contains("CRC-32"));
    }

    /**
     * TinyZip computed the CRC over the edited bytes; flipping the bit back in the written file
     * leaves data whose CRC no longer matches the directory.
     */
    private static byte[] restoreDataByte(byte[] zip) {
        byte[] needle = "views/data/0".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < zip.length - needle.length; i++) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 3 && zip[i + 3] == 4) {
                int nameLen = (zip[i + 26] & 0xff) | (zip[i + 27] & 0xff) << 8;
                int extraLen = (zip[i + 28] & 0xff) | (zip[i + 29] & 0xff) << 8;
                if (new String(zip, i + 30, nameLen, StandardCharsets.UTF_8).equals("views/data/0")) {
                    zip[i + 30 + nameLen + extraLen + 5] ^= 1;
                    return zip;
                }
            }
        }
        throw new AssertionError("entry not found");
    }

    @Test
    void bigEndianCheckpointsAreRefused() throws IOException {
        Path p = rewrite("be.pth", false, es -> es.add(new TinyZip.E("views/byteorder", "big".getBytes())));
        assertTrue(fails(UnsupportedModelException.class, p).contains("big-endian"));
        Path little = rewrite("le.pth", false, es -> es.add(new TinyZip.E("views/byteorder", "little".getBytes())));
        assertEquals(12, CheckpointLoader.load(little).tensors().size());
    }
}
