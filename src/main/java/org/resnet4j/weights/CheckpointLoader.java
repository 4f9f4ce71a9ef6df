package org.resnet4j.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HexFormat;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;

/**
 * Entry point for reading checkpoints: detects the format from the file's first bytes (never its
 * extension), reads it with the matching reader, finds the state_dict inside a training checkpoint
 * and strips wrapper prefixes. Tensors of float32 data are memory-mapped views of the file; the
 * file handle is closed before returning (mappings stay valid).
 *
 * <p>Every failure is a {@link ResNet4jException} naming the file: {@code FormatException} for
 * corrupt, truncated or unknown files, {@code UnsafeContentException} for refused pickle globals
 * and bombs, {@code UnsupportedModelException} for dtypes we do not read.
 */
public final class CheckpointLoader {
    /** The pickle of PyTorch's legacy magic number 0x1950a86a20f9469cfc6c (protocol 2, LONG1). */
    static final byte[] LEGACY_MAGIC_PICKLE = {
        (byte) 0x80,
        0x02,
        (byte) 0x8a,
        0x0a,
        0x6c,
        (byte) 0xfc,
        (byte) 0x9c,
        0x46,
        (byte) 0xf9,
        0x20,
        0x6a,
        (byte) 0xa8,
        0x50,
        0x19,
        0x2e
    };

    static final String SUPPORTED = "pytorch-zip (torch.save since 1.6, starts with 50 4b 03 04), "
            + "pytorch-legacy (torch.save before 1.6, starts with the pickled magic number 80 02 8a 0a 6c fc 9c 46 f9 20 6a a8 50 19), "
            + "safetensors (8-byte little-endian header length, then '{')";

    private CheckpointLoader() {}

    /** Reads the state_dict from {@code file}, finding it automatically inside training checkpoints. */
    public static LoadedCheckpoint load(Path file) {
        return load(file, null);
    }

    /**
     * Reads the state_dict from {@code file}.
     *
     * @param key the top-level key holding the state_dict ({@code "model_ema"}), or null to pick
     *            the top-level dict itself or the first of state_dict, model, model_state_dict,
     *            state_dict_ema, model_ema, net, network that is a dict of tensors
     */
    public static LoadedCheckpoint load(Path file, String key) {
        LoadedCheckpoint stored = loadAsStored(file, key);
        // A file in no known naming scheme keeps its names (scheme null): inspect still shows it, and
        // building a model from it reports the keys and the schemes tried (NamingSchemes.map).
        try {
            return NamingSchemes.detect(stored.tensors().names())
                    .map(scheme -> stored.withMapping(
                            scheme.name(),
                            NamingSchemes.map(stored.tensors(), scheme).tensors()))
                    .orElse(stored);
        } catch (ResNet4jException e) {
            throw new FormatException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new FormatException(file + ": corrupt checkpoint names (" + e + ")", e);
        }
    }

    /** Reads the state_dict with its names as the file stores them (no naming-scheme mapping). */
    static LoadedCheckpoint loadAsStored(Path file, String key) {
        try (CheckpointFile f = CheckpointFile.open(file)) {
            return switch (sniff(f)) {
                case PYTORCH_ZIP -> TorchZipReader.read(f, key);
                case PYTORCH_LEGACY -> TorchLegacyReader.read(f, key);
                case SAFETENSORS -> SafetensorsReader.read(f, key);
            };
        } catch (ResNet4jException e) {
            throw e;
        } catch (RuntimeException e) {
            // a check we missed must still come out as a message naming the file, not a raw exception
            throw new FormatException(file + ": corrupt checkpoint (" + e + ")", e);
        }
    }

    /** The format of {@code file}, from its first bytes. */
    public static CheckpointFormat detect(Path file) {
        try (CheckpointFile f = CheckpointFile.open(file)) {
            return sniff(f);
        }
    }

    static CheckpointFormat sniff(CheckpointFile f) {
        int n = (int) Math.min(f.size, 16);
        ByteBuffer head = f.read(0, n, "file header").order(ByteOrder.LITTLE_ENDIAN);
        if (n >= 4 && head.getInt(0) == 0x04034b50) {
            return CheckpointFormat.PYTORCH_ZIP;
        }
        if (n >= LEGACY_MAGIC_PICKLE.length
                && head.duplicate().limit(LEGACY_MAGIC_PICKLE.length).equals(ByteBuffer.wrap(LEGACY_MAGIC_PICKLE))) {
            return CheckpointFormat.PYTORCH_LEGACY;
        }
        if (n >= 9 && head.get(8) == '{') {
            return CheckpointFormat.SAFETENSORS;
        }
        byte[] first = new byte[n];
        head.duplicate().get(first);
        throw new FormatException(f.name + ": unknown checkpoint format (" + f.size + " bytes, first bytes: "
                + (n == 0 ? "none" : HexFormat.ofDelimiter(" ").formatHex(first)) + "); supported: " + SUPPORTED);
    }
}
