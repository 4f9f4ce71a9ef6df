package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

class CheckpointLoaderTest {

    @ParameterizedTest
    @CsvSource({
        "views.pth, pytorch-zip",
        "views_deflated.pth, pytorch-zip",
        "views_legacy.pth, pytorch-legacy",
        "views_p4.pth, pytorch-zip"
    })
    void viewsMatchTorchExactly(String file, String format) {
        LoadedCheckpoint c = CheckpointLoader.load(Fixtures.file(file));
        assertEquals(format, c.format().label());
        assertNull(c.nestedKey());
        assertNull(c.strippedPrefix());
        Fixtures.assertMatches("views", c.tensors());
    }

    @Test
    void contiguousFloat32IsZeroCopyAndStridedViewsAreGathered() {
        StateDict sd = CheckpointLoader.load(Fixtures.file("views.pth")).tensors();
        // mapped straight from the file: direct buffers, even with a storage offset
        assertTrue(sd.get("plain.weight").toLittleEndianBytes().isDirect());
        assertTrue(sd.get("row").toLittleEndianBytes().isDirect());
        assertTrue(sd.get("shared_b").toLittleEndianBytes().isDirect());
        // transposed and sliced views are copied into C order
        assertFalse(sd.get("transposed").toLittleEndianBytes().isDirect());
        assertFalse(sd.get("slice").toLittleEndianBytes().isDirect());
        assertEquals(DType.INT64, sd.get("bn.num_batches_tracked").sourceType());
        assertEquals(7f, sd.get("bn.num_batches_tracked").get(0));
        assertEquals(0, sd.get("scalar").rank());
        // shared_a = s[:10], shared_b = s[5:15].view(2, 5): one storage seen through two views
        Tensor a = sd.get("shared_a");
        Tensor b = sd.get("shared_b");
        for (int i = 0; i < 5; i++) {
            assertEquals(a.get(5 + i), b.get(i), "shared storage element " + (5 + i));
        }
    }

    @ParameterizedTest
    @CsvSource({"f16", "bf16", "f64"})
    void widenedDtypesEqualTorchFloat(String name) {
        LoadedCheckpoint c = CheckpointLoader.load(Fixtures.file(name + ".pth"));
        Fixtures.assertMatches(name, c.tensors());
    }

    @Test
    void trainingCheckpointFindsStateDictAndStripsDataParallelPrefix() {
        LoadedCheckpoint c = CheckpointLoader.load(Fixtures.file("nested.pth"));
        assertEquals("state_dict", c.nestedKey());
        assertEquals("module.", c.strippedPrefix());
        Fixtures.assertMatches("nested", c.tensors());
        assertTrue(c.tensors().contains("1.num_batches_tracked"));
    }

    @Test
    void priorityPicksModelAndExplicitKeyPicksEma() {
        LoadedCheckpoint auto = CheckpointLoader.load(Fixtures.file("two_models.pth"));
        assertEquals("model", auto.nestedKey());
        assertNull(auto.strippedPrefix());
        Fixtures.assertMatches("two_models.model", auto.tensors());

        LoadedCheckpoint ema = CheckpointLoader.load(Fixtures.file("two_models.pth"), "model_ema");
        assertEquals("model_ema", ema.nestedKey());
        assertEquals("_orig_mod.", ema.strippedPrefix());
        Fixtures.assertMatches("two_models.model_ema", ema.tensors());
    }

    @Test
    void missingExplicitKeyListsTopLevelKeys() {
        FormatException e = assertThrows(
                FormatException.class, () -> CheckpointLoader.load(Fixtures.file("two_models.pth"), "ema"));
        assertTrue(e.getMessage().contains("two_models.pth"), e.getMessage());
        assertTrue(e.getMessage().contains("[model_ema, model, step]"), e.getMessage());
    }

    @Test
    void nonTensorKeyIsRefused() {
        FormatException e = assertThrows(
                FormatException.class, () -> CheckpointLoader.load(Fixtures.file("two_models.pth"), "step"));
        assertTrue(e.getMessage().contains("'step' holds a int"), e.getMessage());
    }

    @Test
    void safetensorsMatchAndStripCompilePrefix() {
        LoadedCheckpoint c = CheckpointLoader.load(Fixtures.file("weights.safetensors"));
        assertEquals(CheckpointFormat.SAFETENSORS, c.format());
        assertEquals("_orig_mod.", c.strippedPrefix());
        Fixtures.assertMatches("weights", c.tensors());
        assertTrue(c.tensors().get("f32").toLittleEndianBytes().isDirect());
    }

    @Test
    void maliciousGlobalIsRefusedByName() {
        UnsafeContentException e =
                assertThrows(UnsafeContentException.class, () -> CheckpointLoader.load(Fixtures.file("malicious.pth")));
        assertTrue(e.getMessage().contains("refused pickle global posix.system"), e.getMessage());
        assertTrue(e.getMessage().contains("malicious.pth"), e.getMessage());
    }

    @Test
    void truncatedFileNamesTheFile() {
        FormatException e =
                assertThrows(FormatException.class, () -> CheckpointLoader.load(Fixtures.file("truncated.pth")));
        assertTrue(e.getMessage().contains("truncated.pth"), e.getMessage());
    }

    @Test
    void unknownFormatListsSupportedFormatsAndFirstBytes() {
        FormatException e =
                assertThrows(FormatException.class, () -> CheckpointLoader.load(Fixtures.file("unknown.bin")));
        String m = e.getMessage();
        assertTrue(m.contains("unknown.bin"), m);
        assertContains(m, "pytorch-zip", "pytorch-legacy", "safetensors");
        assertTrue(m.contains("47 49 46 38 39 61"), m);
    }

    @Test
    void formatIsSniffedFromBytesNotExtension(@TempDir Path tmp) throws Exception {
        Path renamed = tmp.resolve("weights.pth");
        Files.copy(Fixtures.file("weights.safetensors"), renamed);
        assertEquals(CheckpointFormat.SAFETENSORS, CheckpointLoader.detect(renamed));
        Path legacy = tmp.resolve("model.safetensors");
        Files.copy(Fixtures.file("views_legacy.pth"), legacy);
        assertEquals(CheckpointFormat.PYTORCH_LEGACY, CheckpointLoader.detect(legacy));
    }

    @Test
    void everyTruncationFailsWithAFormatException(@TempDir Path tmp) throws Exception {
        for (String name :
                new String[] {"views.pth", "views_legacy.pth", "weights.safetensors", "views_deflated.pth"}) {
            byte[] all = Fixtures.bytes(name);
            for (int len = 0; len < all.length; len += Math.max(1, all.length / 97)) {
                Path p = tmp.resolve("cut-" + len + "-" + name);
                Files.write(p, java.util.Arrays.copyOf(all, len));
                FormatException e =
                        assertThrows(FormatException.class, () -> CheckpointLoader.load(p), name + " cut at " + len);
                assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            }
        }
    }
}
