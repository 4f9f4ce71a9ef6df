package org.resnet4j.weights;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;

/**
 * Reads {@code torch.save} files since PyTorch 1.6: a zip holding {@code <archive>/data.pkl} (the
 * object, with tensors as persistent ids) and one entry {@code <archive>/data/<key>} per storage.
 * Storages are memory-mapped; only those of the selected state_dict are touched.
 */
final class TorchZipReader {
    private TorchZipReader() {}

    static LoadedCheckpoint read(CheckpointFile f, String key) {
        ZipArchive zip = ZipArchive.read(f);
        List<ZipArchive.Entry> pkls = zip.entries().stream()
                .filter(e -> e.name().endsWith("/data.pkl")
                        && e.name().indexOf('/') == e.name().length() - 9)
                .collect(Collectors.toList());
        if (pkls.size() != 1) {
            throw new FormatException(f.name + ": expected one '<archive>/data.pkl' in the zip, found "
                    + (pkls.isEmpty()
                            ? "none"
                            : pkls.stream().map(ZipArchive.Entry::name).toList())
                    + "; entries: " + names(zip));
        }
        ZipArchive.Entry pkl = pkls.get(0);
        String archive = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
        for (ZipArchive.Entry e : zip.entries()) {
            if (!e.name().startsWith(archive)) {
                throw new UnsafeContentException(
                        f.name + ": zip entry '" + e.name() + "' lies outside the archive folder '" + archive + "'");
            }
        }
        ZipArchive.Entry order = zip.get(archive + "byteorder");
        if (order != null) {
            String bo = new String(zip.bytes(order), StandardCharsets.US_ASCII).strip();
            if (bo.equals("big")) {
                throw new UnsupportedModelException(f.name + ": the checkpoint was saved on a big-endian machine "
                        + "(byteorder 'big'); only little-endian checkpoints are supported");
            } else if (!bo.equals("little")) {
                throw new FormatException(f.name + ": byteorder entry says '" + bo + "', expected 'little' or 'big'");
            }
        }
        String where = f.name + " (" + pkl.name() + ")";
        byte[] pickle = zip.bytes(pkl);
        Object root = new Unpickler(ByteBuffer.wrap(pickle), 0, pickle.length, where, new TorchPickle(where)).load();
        StateDictSelector.Selection sel = StateDictSelector.select(f.name, root, key);
        Map<String, ByteBuffer> storages = new HashMap<>();
        return StateDictSelector.decode(
                f,
                CheckpointFormat.PYTORCH_ZIP,
                sel,
                (tensorKey, s) -> storages.computeIfAbsent(archive + "data/" + s.key(), n -> {
                    ZipArchive.Entry entry = zip.get(n);
                    if (entry == null) {
                        throw new FormatException(f.name + ": tensor '" + tensorKey + "' needs storage entry '" + n
                                + "', which is missing from the zip");
                    }
                    return zip.data(entry);
                }));
    }

    private static String names(ZipArchive zip) {
        List<String> all =
                zip.entries().stream().map(ZipArchive.Entry::name).limit(10).toList();
        return all + (zip.entries().size() > 10 ? " ..." : "");
    }
}
