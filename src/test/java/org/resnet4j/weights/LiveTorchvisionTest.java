package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * A real torchvision resnet18 (seeded random init, 47 MB), saved by torch in every format we
 * read, compared tensor by tensor through SHA-256 of the float32 bytes. Skipped when
 * /usr/bin/python3 has no torchvision, unless CI=true.
 */
class LiveTorchvisionTest {
    @TempDir
    static Path dir;

    private static JsonNode hashes;

    @BeforeAll
    static void saveWithTorch() throws Exception {
        org.resnet4j.testing.PythonReference.require();
        Path python = Path.of(org.resnet4j.testing.PythonReference.PYTHON);
        Path script =
                Fixtures.dir().resolve("../../tools/make_weight_fixtures.py").normalize();
        Process p = new ProcessBuilder(python.toString(), script.toString(), "--live", dir.toString(), "resnet18")
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "fixture script timed out");
        assertEquals(0, p.exitValue(), log);
        hashes = new ObjectMapper().readTree(dir.resolve("hashes.json").toFile());
    }

    private static void assertHashes(String which, StateDict sd) throws NoSuchAlgorithmException {
        JsonNode want = hashes.get(which);
        List<String> names = new ArrayList<>();
        want.fieldNames().forEachRemaining(names::add);
        assertEquals(names, new ArrayList<>(sd.names()));
        for (String k : names) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(sd.get(k).toLittleEndianBytes());
            assertEquals(want.get(k).asText(), HexFormat.of().formatHex(md.digest()), "float32 bytes of " + k);
        }
    }

    @Test
    void zipCheckpointIsExactAndZeroCopy() throws Exception {
        Path file = dir.resolve("zip.pth");
        long before = retainedHeap();
        LoadedCheckpoint c = CheckpointLoader.load(file);
        long grown = retainedHeap() - before;
        assertHashes("fp32", c.tensors());
        long fileSize = Files.size(file);
        // float32 weights are mapped, not copied: the heap holds only metadata and int64 counters
        assertTrue(grown < fileSize / 10, "heap grew by " + grown + " bytes for a " + fileSize + "-byte checkpoint");
        int direct = 0;
        for (Tensor t : c.tensors().asMap().values()) {
            direct += t.sourceType() == DType.FLOAT32 && t.toLittleEndianBytes().isDirect() ? 1 : 0;
        }
        assertEquals(
                c.tensors().asMap().values().stream()
                        .filter(t -> t.sourceType() == DType.FLOAT32)
                        .count(),
                direct);
    }

    @Test
    void legacyAndSafetensorsAreExact() throws Exception {
        assertHashes("fp32", CheckpointLoader.load(dir.resolve("legacy.pth")).tensors());
        assertHashes(
                "fp32", CheckpointLoader.load(dir.resolve("st.safetensors")).tensors());
    }

    @Test
    void halfPrecisionTrainingCheckpointIsExact() throws Exception {
        LoadedCheckpoint c = CheckpointLoader.load(dir.resolve("fp16.pth"));
        assertEquals("state_dict", c.nestedKey());
        assertEquals("module.", c.strippedPrefix());
        assertHashes("fp16", c.tensors());
        assertEquals(DType.FLOAT16, c.tensors().get("conv1.weight").sourceType());
    }

    private static long retainedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
