package org.resnet4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.Device;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.build.OnnxBuild.ExportOptions;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.PythonReference;
import org.resnet4j.weights.Npy;

/**
 * The session cache: a second session of the same model opens from the cached optimised model and
 * gives the same bits as a session without the cache; a damaged entry, a shared folder or other
 * settings never feed a session. The model is the golden CIFAR ResNet (tools/make_golden.py), whose
 * output torchvision computed.
 */
class OrtSessionCacheTest {
    private static byte[] model;
    private static Tensor input;
    private static Tensor torchvision;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() {
        Path dir = PythonReference.root().resolve("testdata/golden/cifar_basic");
        model = OnnxBuild.buildModel(
                        SpecJson.read(dir.resolve("spec.json")),
                        OnnxBuild.loadWeights(dir.resolve("weights.pth")),
                        new ExportOptions(17, true))
                .toByteArray();
        input = Npy.read(dir.resolve("input.npy"));
        torchvision = Npy.read(dir.resolve("output.npy"));
    }

    private static EngineOptions options(Path cache) {
        return new EngineOptions(Device.CPU, 1, "all").withSessionCache(cache);
    }

    private static float[] run(EngineOptions o) {
        try (OrtEngine e = new OrtEngine(model, o, "cifar_basic")) {
            return e.run(input).toArray();
        }
    }

    private static String describe(EngineOptions o) {
        try (OrtEngine e = new OrtEngine(model, o, "cifar_basic")) {
            return e.describe();
        }
    }

    private List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void secondSessionOpensFromTheCacheWithTheSameBits() throws IOException {
        float[] plain = run(new EngineOptions(Device.CPU, 1, "all"));
        float[] expected = torchvision.toArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], plain[i], 1e-5f * Math.max(1, Math.abs(expected[i])), "logit " + i);
        }
        Path cache = tmp.resolve("cache");
        assertFalse(describe(options(cache)).contains("from the session cache"), "first session: a miss");
        List<Path> written = entries(cache);
        assertEquals(1, written.size(), "one entry after the first session: " + written);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        assertTrue(describe(options(cache)).contains("from the session cache"), "second session: a hit");
        assertArrayEquals(plain, run(options(cache)), "cached session, bit for bit");
        assertEquals(written, entries(cache), "a hit writes nothing");
    }

    @Test
    void otherSettingsAreOtherEntries() throws IOException {
        Path cache = tmp.resolve("cache");
        float[] all = run(options(cache));
        float[] basic = run(new EngineOptions(Device.CPU, 1, "basic").withSessionCache(cache));
        assertEquals(2, entries(cache).size(), "level all and level basic: two entries");
        assertArrayEquals(all, run(options(cache)));
        assertArrayEquals(basic, run(new EngineOptions(Device.CPU, 1, "basic").withSessionCache(cache)));
        assertEquals(2, entries(cache).size());
    }

    @Test
    void damagedEntryIsAMissAndIsReplaced() throws IOException {
        Path cache = tmp.resolve("cache");
        float[] plain = run(options(cache));
        Path entry = entries(cache).get(0);
        long size = Files.size(entry);
        try (RandomAccessFile f = new RandomAccessFile(entry.toFile(), "rw")) {
            f.seek(size / 2);
            int b = f.read();
            f.seek(size / 2);
            f.write(b ^ 0x40); // one bit in the weights: the CRC in the name no longer matches
        }
        assertFalse(describe(options(cache)).contains("from the session cache"), "a damaged entry is not used");
        assertArrayEquals(plain, run(options(cache)));
        try (RandomAccessFile f = new RandomAccessFile(entries(cache).get(0).toFile(), "rw")) {
            f.setLength(size / 3); // truncated, as by a full disk
        }
        assertArrayEquals(plain, run(options(cache)));
        assertTrue(describe(options(cache)).contains("from the session cache"), "rewritten whole");
        assertEquals(1, entries(cache).size());
    }

    @Test
    void aFolderOthersCanWriteIsNotUsed() throws IOException {
        Path cache = tmp.resolve("cache");
        Files.createDirectory(
                cache, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        float[] plain = run(options(cache));
        assertEquals(List.of(), entries(cache), "nothing written to a folder others can write");
        assertArrayEquals(plain, run(new EngineOptions(Device.CPU, 1, "all")));
    }

    @Test
    void leastRecentlyUsedEntriesGoBeyondTheLimit() throws Exception {
        Path cache = tmp.resolve("cache");
        run(options(cache));
        Path older = entries(cache).get(0);
        long one = Files.size(older);
        // another entry (level basic) through a cache that holds one and a half: the older one goes
        OrtSessionCache small = new OrtSessionCache(cache, one + one / 2);
        OrtSessionCache.Opened o = small.open(
                ai.onnxruntime.OrtEnvironment.getEnvironment(),
                model,
                () -> {
                    var s = new ai.onnxruntime.OrtSession.SessionOptions();
                    s.setOptimizationLevel(OrtEngine.optLevel("basic"));
                    return s;
                },
                "level basic, disabled rules none");
        o.session().close();
        List<Path> left = entries(cache);
        assertEquals(1, left.size(), "one entry left: " + left);
        assertNotEquals(older, left.get(0), "the least recently used went");
    }
}
