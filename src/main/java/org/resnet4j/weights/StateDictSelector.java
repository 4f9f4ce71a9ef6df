package org.resnet4j.weights;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * Finds the state_dict inside what a pickle held: the top-level dict itself when all its values
 * are tensors, else the first of {@link #NESTED_KEYS} whose value is a dict of tensors (training
 * checkpoints keep the epoch, optimizer state and more next to it; those are parsed and ignored).
 * Then strips the wrapper prefixes that {@code DataParallel} and {@code torch.compile} add.
 */
final class StateDictSelector {
    /** Where training scripts put the weights, in the order we look. */
    static final List<String> NESTED_KEYS =
            List.of("state_dict", "model", "model_state_dict", "state_dict_ema", "model_ema", "net", "network");

    /**
     * Prefixes removed when every key has them: DataParallel/DDP, torch.compile, and the attribute
     * a PyTorch Lightning module keeps its network in ({@code self.model}).
     */
    static final List<String> WRAPPER_PREFIXES = List.of("module.", "_orig_mod.", "model.");

    /**
     * @param nestedKey    the top-level key taken, or null for the top-level dict
     * @param alternatives other top-level keys that also hold a dict of tensors
     */
    record Selection(String nestedKey, Map<String, Object> tensors, List<String> alternatives) {
        Selection(String nestedKey, Map<String, Object> tensors) {
            this(nestedKey, tensors, List.of());
        }
    }

    record Stripped<T>(String prefix, LinkedHashMap<String, T> entries) {}

    private StateDictSelector() {}

    /**
     * @param key the top-level key to take, or null to find it
     */
    static Selection select(String file, Object root, String key) {
        if (!(root instanceof Map<?, ?> top)) {
            throw new FormatException(file + ": the checkpoint holds a " + PyValues.typeName(root)
                    + ", expected a dict (a state_dict or a training checkpoint)");
        }
        if (key != null) {
            if (!top.containsKey(key)) {
                throw new FormatException(file + ": no top-level key '" + key + "'; the keys are " + keyList(top));
            }
            Map<String, Object> t = tensorDict(top.get(key));
            if (t == null) {
                throw new FormatException(
                        file + ": '" + key + "' holds " + contents(top.get(key)) + ", expected a dict of tensors");
            }
            return new Selection(key, t);
        }
        Map<String, Object> flat = tensorDict(top);
        if (flat != null) {
            return new Selection(null, flat);
        }
        Selection chosen = null;
        List<String> others = new ArrayList<>();
        for (String k : NESTED_KEYS) {
            Map<String, Object> t = tensorDict(top.get(k));
            if (t != null && chosen == null) {
                chosen = new Selection(k, t);
            }
        }
        for (Map.Entry<?, ?> e : top.entrySet()) {
            if (e.getKey() instanceof String k
                    && (chosen == null || !k.equals(chosen.nestedKey()))
                    && tensorDict(e.getValue()) != null
                    && !tensorDict(e.getValue()).isEmpty()) {
                others.add(k);
            }
        }
        if (chosen != null) {
            return new Selection(chosen.nestedKey(), chosen.tensors(), others);
        }
        throw new FormatException(file + ": found no state_dict: the top-level dict holds " + contents(top)
                + " with keys " + keyList(top) + ", and none of " + NESTED_KEYS
                + " is a dict of tensors; pass the key explicitly"
                + (others.isEmpty() ? "" : " (dicts of tensors under: " + others + ")"));
    }

    /** What a quantized Linear keeps its weight and bias under: {@code (weight, bias)}, and their dtype beside. */
    static final String PACKED = "._packed_params._packed_params";

    static final String PACKED_DTYPE = "._packed_params.dtype";

    /**
     * The dict as name to tensor ({@link PyValues.TensorRef} or {@link PyValues.QTensorRef}) when every
     * key is a str and every value a tensor; else null. A quantized Linear's packed
     * {@code (weight, bias)} become {@code P.weight} and {@code P.bias}, as a quantized Conv stores them
     * (its dtype entry, {@code torch.qint8}, says nothing more).
     */
    private static Map<String, Object> tensorDict(Object o) {
        if (!(o instanceof Map<?, ?> m)) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                return null;
            }
            Object v = e.getValue();
            if (v instanceof PyValues.TensorRef || v instanceof PyValues.QTensorRef) {
                out.put(k, v);
            } else if (k.endsWith(PACKED_DTYPE) && v instanceof PyValues.Global) {
                continue;
            } else if (k.endsWith(PACKED)
                    && v instanceof PyValues.Tuple t
                    && t.size() == 2
                    && t.get(0) instanceof PyValues.QTensorRef
                    && (t.get(1) == null || t.get(1) instanceof PyValues.TensorRef)) {
                String module = k.substring(0, k.length() - PACKED.length());
                out.put(module + ".weight", t.get(0));
                if (t.get(1) != null) {
                    out.put(module + ".bias", t.get(1));
                }
            } else {
                return null;
            }
        }
        return out;
    }

    /**
     * Strips the wrapper prefixes every key shares, repeatedly ({@code module._orig_mod.}). Linear in
     * the total length of the keys: the prefixes are matched in place at a growing offset and each
     * key is cut once at the end (cutting at every step was quadratic for a key of 300,000
     * {@code module.}).
     */
    static <T> Stripped<T> stripPrefixes(Map<String, T> in) {
        int offset = 0;
        boolean again = !in.isEmpty();
        while (again) {
            again = false;
            for (String p : WRAPPER_PREFIXES) {
                if (allHave(in.keySet(), p, offset)) {
                    offset += p.length();
                    again = true;
                }
            }
        }
        if (offset == 0) {
            return new Stripped<>(null, new LinkedHashMap<>(in));
        }
        LinkedHashMap<String, T> out = new LinkedHashMap<>();
        for (Map.Entry<String, T> e : in.entrySet()) {
            out.put(e.getKey().substring(offset), e.getValue());
        }
        return new Stripped<>(in.keySet().iterator().next().substring(0, offset), out);
    }

    /** Whether every key has {@code prefix} at {@code offset} and something after it. */
    private static boolean allHave(Iterable<String> keys, String prefix, int offset) {
        for (String k : keys) {
            if (!k.startsWith(prefix, offset) || k.length() <= offset + prefix.length()) {
                return false;
            }
        }
        return true;
    }

    private static String keyList(Map<?, ?> m) {
        List<String> keys = new ArrayList<>();
        for (Object k : m.keySet()) {
            if (keys.size() == 30) {
                keys.add("... (" + m.size() + " in all)");
                break;
            }
            keys.add(k instanceof String s ? s : PyValues.describe(k));
        }
        return keys.toString();
    }

    private static String contents(Object o) {
        if (!(o instanceof Map<?, ?> m)) {
            return "a " + PyValues.typeName(o);
        }
        long tensors = m.values().stream()
                .filter(v -> v instanceof PyValues.TensorRef || v instanceof PyValues.QTensorRef)
                .count();
        return "a dict of " + m.size() + " entries (" + tensors + " tensors)";
    }

    /** Where a pickle-based reader finds a storage's bytes; errors name the tensor that needs them. */
    interface StorageBytes {
        ByteBuffer of(String tensorKey, PyValues.StorageRef storage);
    }

    /**
     * The selected tensors, prefixes stripped, decoded from their storages: the part both PyTorch
     * readers (zip and legacy) share once they have found the storages.
     */
    static LoadedCheckpoint decode(CheckpointFile f, CheckpointFormat format, Selection sel, StorageBytes storages) {
        Stripped<Object> stripped = stripPrefixes(sel.tensors());
        TensorDecoder decoder = new TensorDecoder(f.name, TensorDecoder.budgetFor(f.size));
        StateDict sd = new StateDict();
        QuantizedTensors quantized = new QuantizedTensors(f.name);
        for (Map.Entry<String, Object> e : stripped.entries().entrySet()) {
            String key = e.getKey();
            if (e.getValue() instanceof PyValues.QTensorRef q) {
                quantized.decode(key, q, (name, ref) -> decode(f, decoder, storages, name, ref), sd);
            } else {
                put(f.name, sd, key, decode(f, decoder, storages, key, (PyValues.TensorRef) e.getValue()));
            }
        }
        return new LoadedCheckpoint(f.path, format, sel.nestedKey(), stripped.prefix(), sd)
                .withAlternatives(sel.alternatives())
                .withQuantization(quantized.summary());
    }

    private static Tensor decode(
            CheckpointFile f, TensorDecoder decoder, StorageBytes storages, String key, PyValues.TensorRef t) {
        PyValues.StorageRef s = t.storage();
        if (!TensorDecoder.isSupported(s.dtype())) {
            throw new UnsupportedModelException(f.name + ": tensor '" + key + "' has dtype " + s.dtype() + " ("
                    + s.typeName() + "), supported: " + TensorDecoder.SUPPORTED);
        }
        ByteBuffer bytes = storages.of(key, s);
        return decoder.decode(key, s.dtype(), bytes, s.numel(), t.offset(), t.size(), t.stride());
    }

    /** Adds a tensor; a name given twice (a quantized tensor's NAME_scale beside a file's own) is refused. */
    static void put(String file, StateDict sd, String key, Tensor t) {
        if (sd.contains(key)) {
            throw new FormatException(file + ": tensor '" + key + "' is given twice (a quantized tensor's "
                    + "scale and zero point take the names NAME_scale and NAME_zero_point)");
        }
        sd.put(key, t);
    }
}
