package org.resnet4j.weights;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;

/**
 * Reads the pre-1.6 {@code torch.save} layout: five pickles back to back (magic number, protocol
 * version, sys_info, the object, the sorted storage keys), then for each key an int64
 * little-endian element count followed by the storage's raw bytes. Storages are memory-mapped.
 */
final class TorchLegacyReader {
    static final long PROTOCOL_VERSION = 1001;

    private TorchLegacyReader() {}

    static LoadedCheckpoint read(CheckpointFile f, String key) {
        // the pickles sit at the front; map what a Java buffer can index and parse from there
        long window = Math.min(f.size, Integer.MAX_VALUE);
        ByteBuffer buf = f.map(0, window, "legacy checkpoint pickles");
        int end = (int) window;
        TorchPickle plain = new TorchPickle(f.name + " (legacy header)");

        Unpickler magic = new Unpickler(buf, 0, end, f.name + " (magic number)", plain);
        magic.load(); // the sniffer already matched its exact bytes
        Unpickler proto = new Unpickler(buf, magic.position(), end, f.name + " (protocol version)", plain);
        Object version = proto.load();
        if (!(version instanceof Long v) || v != PROTOCOL_VERSION) {
            throw new FormatException(f.name + ": legacy protocol version " + PyValues.describe(version) + ", expected "
                    + PROTOCOL_VERSION);
        }
        Unpickler sys = new Unpickler(buf, proto.position(), end, f.name + " (sys_info)", plain);
        Object sysInfo = sys.load();
        if (!(sysInfo instanceof Map<?, ?> info)) {
            throw new FormatException(
                    f.name + ": legacy sys_info is a " + PyValues.typeName(sysInfo) + ", expected a dict");
        }
        if (!Boolean.TRUE.equals(info.get("little_endian"))) {
            throw new UnsupportedModelException(f.name + ": legacy checkpoint written with little_endian="
                    + PyValues.describe(info.get("little_endian")) + "; only little-endian checkpoints are supported");
        }
        String where = f.name + " (legacy object pickle)";
        TorchPickle hooks = new TorchPickle(where);
        Unpickler objects = new Unpickler(buf, sys.position(), end, where, hooks);
        Object root = objects.load();
        Unpickler keysPickle = new Unpickler(buf, objects.position(), end, f.name + " (storage keys)", plain);
        Object keys = keysPickle.load();
        if (!(keys instanceof List<?> keyList)) {
            throw new FormatException(f.name + ": legacy storage key list is a " + PyValues.typeName(keys));
        }

        // storages follow in key-list order: int64 count, then count * element size bytes
        Map<String, ByteBuffer> storages = new HashMap<>();
        long pos = keysPickle.position();
        for (Object k : keyList) {
            PyValues.StorageRef s = k instanceof String ks ? hooks.storages.get(ks) : null;
            if (s == null) {
                throw new FormatException(
                        f.name + ": legacy storage key " + PyValues.describe(k) + " is listed but no tensor names it");
            }
            long count = f.read(pos, 8, "element count of storage " + s.key()).getLong(0);
            if (count != s.numel()) {
                throw new FormatException(f.name + ": legacy storage " + s.key() + " has " + count
                        + " elements in the file, its persistent id says " + s.numel());
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(count, s.dtype().byteSize());
            } catch (ArithmeticException ex) {
                throw new FormatException(f.name + ": legacy storage " + s.key() + " claims " + count + " elements");
            }
            f.checkRange(
                    pos + 8,
                    bytes,
                    "storage " + s.key() + " (" + count + " x " + s.dtype().byteSize() + " bytes)");
            if (TensorDecoder.isSupported(s.dtype())) {
                storages.put(s.key(), f.map(pos + 8, bytes, "storage " + s.key()));
            }
            pos += 8 + bytes;
        }
        if (pos != f.size) {
            throw new FormatException(f.name + ": " + (f.size - pos)
                    + " unexpected bytes after the last storage (ends at " + pos + ", file has " + f.size + ")");
        }

        StateDictSelector.Selection sel = StateDictSelector.select(f.name, root, key);
        return StateDictSelector.decode(f, CheckpointFormat.PYTORCH_LEGACY, sel, (tensorKey, s) -> {
            ByteBuffer bytes = storages.get(s.key());
            if (bytes == null) {
                throw new FormatException(f.name + ": tensor '" + tensorKey + "' needs storage " + s.key()
                        + ", which is not in the file's storage list");
            }
            return bytes;
        });
    }
}
