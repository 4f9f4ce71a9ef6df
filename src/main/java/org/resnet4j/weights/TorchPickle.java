package org.resnet4j.weights;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.tensor.DType;

/**
 * The allow-list for PyTorch pickles: the only globals a checkpoint may name, and what calling
 * each of them builds. Tensors come back as {@link PyValues.TensorRef} descriptions; their bytes are
 * read later, and only for the tensors the caller keeps.
 */
final class TorchPickle implements Unpickler.Hooks {
    /** Storage classes, as named in persistent ids, and the element type they hold. */
    static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("torch.FloatStorage", DType.FLOAT32),
            Map.entry("torch.HalfStorage", DType.FLOAT16),
            Map.entry("torch.BFloat16Storage", DType.BFLOAT16),
            Map.entry("torch.DoubleStorage", DType.FLOAT64),
            Map.entry("torch.LongStorage", DType.INT64),
            Map.entry("torch.IntStorage", DType.INT32),
            Map.entry("torch.ShortStorage", DType.INT16),
            Map.entry("torch.CharStorage", DType.INT8),
            Map.entry("torch.ByteStorage", DType.UINT8),
            Map.entry("torch.BoolStorage", DType.BOOL),
            Map.entry("torch.QInt8Storage", DType.INT8),
            Map.entry("torch.QUInt8Storage", DType.UINT8),
            Map.entry("torch.QInt32Storage", DType.INT32),
            Map.entry("torch.storage.UntypedStorage", DType.UINT8),
            Map.entry("torch.UntypedStorage", DType.UINT8));

    private static final int MAX_RANK = 64;

    /** Data-only classes of training checkpoints, built as {@link PyValues.Opaque} (never instantiated). */
    static final List<String> DATA_ONLY_CLASSES = List.of(
            "argparse.Namespace",
            "numpy.core.multiarray.scalar",
            "numpy.dtype",
            "pytorch_lightning.utilities.parsing.AttributeDict",
            "lightning_fabric.utilities.data.AttributeDict",
            "lightning.fabric.utilities.data.AttributeDict");

    /**
     * Globals that are data, never called: the quantization schemes and quantized dtypes a quantized
     * state_dict names ({@code fc._packed_params.dtype} is {@code torch.qint8}).
     */
    static final java.util.Set<String> DATA_GLOBALS = java.util.Set.of(
            "torch.per_tensor_affine", "torch.per_channel_affine", "torch.qint8", "torch.quint8", "torch.qint32");

    /** Callable globals: qualified name to what a call builds. */
    private final Map<String, BiFunction<PyValues.Global, PyValues.Tuple, Object>> callables = new LinkedHashMap<>();

    private final String where;

    /** Every storage a persistent id named, by key (the legacy reader needs their types). */
    final Map<String, PyValues.StorageRef> storages = new LinkedHashMap<>();

    TorchPickle(String where) {
        this.where = where;
        callables.put("collections.OrderedDict", (g, a) -> orderedDict(a));
        callables.put("torch._utils._rebuild_tensor_v2", (g, a) -> rebuildTensor(g, a, 6, 7));
        callables.put("torch._utils._rebuild_tensor", (g, a) -> rebuildTensor(g, a, 4, 4));
        callables.put("torch._utils._rebuild_parameter", (g, a) -> rebuildParameter(g, a, 3));
        callables.put("torch._utils._rebuild_qtensor", this::rebuildQTensor);
        callables.put("torch._utils._rebuild_parameter_with_state", (g, a) -> rebuildParameter(g, a, 4));
        callables.put("torch.Size", (g, a) -> a.size() == 1 && a.get(0) instanceof PyValues.Tuple t ? t : bad(g, a));
        // protocol 2 pickles Python 3 bytes as _codecs.encode(str, 'latin1'): pure data
        callables.put(
                "_codecs.encode",
                (g, a) -> a.size() == 2
                                && a.get(0) instanceof String s
                                && ("latin1".equals(a.get(1)) || "latin-1".equals(a.get(1)))
                        ? s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)
                        : bad(g, a));
        callables.put("torch.device", (g, a) -> a.size() >= 1 && a.get(0) instanceof String s ? s : bad(g, a));
        // Bookkeeping that training scripts save beside the weights (torchvision's reference scripts
        // keep their argparse args, ImageNet examples a NumPy best_acc1, Lightning its hparams). These
        // become inert data: their constructors are never run, we only keep the fields as a dict.
        for (String q : DATA_ONLY_CLASSES) {
            callables.put(q, (g, a) -> new PyValues.Opaque(g.qualified()));
        }
    }

    /** Every global a checkpoint may name, sorted, for messages. */
    String allowedNames() {
        TreeSet<String> all = new TreeSet<>(callables.keySet());
        all.addAll(STORAGE_TYPES.keySet());
        all.addAll(DATA_GLOBALS);
        return all.toString();
    }

    @Override
    public PyValues.Global findClass(String module, String name) {
        String q = module + "." + name;
        if (callables.containsKey(q) || STORAGE_TYPES.containsKey(q) || DATA_GLOBALS.contains(q)) {
            return new PyValues.Global(module, name);
        }
        String py3 = python3Name(module, name);
        throw new UnsafeContentException(where + ": refused pickle global " + q
                + (py3.equals(q) ? "" : " (" + py3 + " in Python 3)")
                + " (only tensors, storages, OrderedDict and plain containers are allowed)");
    }

    /**
     * What Python 3's unpickler would import for a protocol 0-2 name (its {@code fix_imports}):
     * {@code __builtin__.eval} is {@code builtins.eval}, {@code commands.Popen} is
     * {@code subprocess.Popen}. For messages only: we import nothing either way.
     */
    static String python3Name(String module, String name) {
        String m = switch (module) {
            case "__builtin__" -> "builtins";
            case "commands" -> "subprocess";
            case "copy_reg" -> "copyreg";
            case "cPickle" -> "pickle";
            case "exceptions" -> "builtins";
            case "urllib2" -> "urllib.request";
            case "httplib" -> "http.client";
            default -> module;
        };
        return m + "." + name;
    }

    @Override
    public Object call(PyValues.Global callable, PyValues.Tuple args) {
        BiFunction<PyValues.Global, PyValues.Tuple, Object> f = callables.get(callable.qualified());
        if (f == null) {
            throw new UnsafeContentException(where + ": refused call of " + callable.qualified() + " (not callable)");
        }
        return f.apply(callable, args);
    }

    @Override
    public Object persistentLoad(Object pid) {
        // ('storage', storage_type, key, location, numel[, view_metadata])
        if (!(pid instanceof PyValues.Tuple t) || t.size() < 5 || !"storage".equals(t.get(0))) {
            throw new FormatException(where + ": persistent id " + PyValues.describe(pid)
                    + " is not ('storage', type, key, location, numel)");
        }
        if (!(t.get(1) instanceof PyValues.Global g) || !STORAGE_TYPES.containsKey(g.qualified())) {
            throw new FormatException(where + ": persistent id names storage type " + PyValues.describe(t.get(1))
                    + ", expected one of " + new TreeSet<>(STORAGE_TYPES.keySet()));
        }
        Object key = t.get(2);
        if (key instanceof Long l) {
            key = l.toString();
        }
        if (!(key instanceof String k)
                || !(t.get(3) instanceof String loc)
                || !(t.get(4) instanceof Long numel)
                || numel < 0) {
            throw new FormatException(where + ": malformed storage persistent id " + PyValues.describe(pid));
        }
        if (t.size() > 5 && t.get(5) != null) {
            throw new FormatException(where + ": storage " + k + " is a legacy storage view "
                    + PyValues.describe(t.get(5)) + ", which is not supported");
        }
        PyValues.StorageRef ref =
                new PyValues.StorageRef(STORAGE_TYPES.get(g.qualified()), g.qualified(), k, loc, numel);
        PyValues.StorageRef seen = storages.putIfAbsent(k, ref);
        if (seen != null && (seen.dtype() != ref.dtype() || seen.numel() != ref.numel())) {
            throw new FormatException(where + ": storage " + k + " is named twice with different types: "
                    + seen.typeName() + "[" + seen.numel() + "] and " + ref.typeName() + "[" + ref.numel() + "]");
        }
        return ref;
    }

    private Object orderedDict(PyValues.Tuple a) {
        Map<Object, Object> m = new LinkedHashMap<>();
        if (a.size() == 1 && a.get(0) instanceof List<?> pairs) {
            for (Object p : pairs) {
                if (!(p instanceof PyValues.Tuple kv) || kv.size() != 2) {
                    throw new FormatException(where + ": OrderedDict item " + PyValues.describe(p) + " is not a pair");
                }
                String problem = PyValues.keyProblem(kv.get(0));
                if (problem != null) {
                    throw kv.get(0) instanceof PyValues.Tuple t && t.hashable
                            ? new org.resnet4j.ResNet4jException.UnsupportedModelException(
                                    where + ": OrderedDict " + problem)
                            : new FormatException(where + ": OrderedDict " + problem);
                }
                String mixed = PyValues.mixedKeys(m, kv.get(0));
                if (mixed != null) {
                    throw new org.resnet4j.ResNet4jException.UnsupportedModelException(
                            where + ": OrderedDict: " + mixed);
                }
                m.put(kv.get(0), kv.get(1));
            }
        } else if (a.size() != 0) {
            bad(new PyValues.Global("collections", "OrderedDict"), a);
        }
        return m;
    }

    private Object rebuildTensor(PyValues.Global g, PyValues.Tuple a, int minArgs, int maxArgs) {
        if (a.size() < minArgs
                || a.size() > maxArgs
                || !(a.get(0) instanceof PyValues.StorageRef storage)
                || !(a.get(1) instanceof Long offset)) {
            return bad(g, a);
        }
        long[] size = longs(g, a, a.get(2));
        long[] stride = longs(g, a, a.get(3));
        if (size.length != stride.length || size.length > MAX_RANK) {
            return bad(g, a);
        }
        if (offset < 0) {
            throw new FormatException(where + ": tensor has a negative storage offset " + offset);
        }
        for (int i = 0; i < size.length; i++) {
            if (size[i] < 0 || stride[i] < 0) {
                throw new FormatException(where + ": tensor has a negative size or stride: size "
                        + PyValues.describe(a.get(2)) + ", stride " + PyValues.describe(a.get(3)));
            }
        }
        return new PyValues.TensorRef(storage, offset, size, stride);
    }

    /**
     * {@code _rebuild_qtensor(storage, offset, size, stride, quantizer_params, requires_grad,
     * backward_hooks)} with {@code quantizer_params} {@code (per_tensor_affine, scale, zero_point)} or
     * {@code (per_channel_affine, scales, zero_points, axis)}. Values are checked when decoded.
     */
    private Object rebuildQTensor(PyValues.Global g, PyValues.Tuple a) {
        if (a.size() < 5 || a.size() > 7 || !(a.get(4) instanceof PyValues.Tuple q) || q.size() < 1) {
            return bad(g, a);
        }
        Object data = rebuildTensor(g, new PyValues.Tuple(new Object[] {a.get(0), a.get(1), a.get(2), a.get(3)}), 4, 4);
        if (!(q.get(0) instanceof PyValues.Global scheme)) {
            return bad(g, a);
        }
        PyValues.Quantizer quantizer;
        switch (scheme.qualified()) {
            case "torch.per_tensor_affine" -> {
                if (q.size() != 3 || !(q.get(1) instanceof Number scale) || !(q.get(2) instanceof Long zp)) {
                    return bad(g, a);
                }
                quantizer = new PyValues.Quantizer(false, scale.doubleValue(), zp, null, null, -1);
            }
            case "torch.per_channel_affine" -> {
                if (q.size() != 4
                        || !(q.get(1) instanceof PyValues.TensorRef scales)
                        || !(q.get(2) instanceof PyValues.TensorRef zps)
                        || !(q.get(3) instanceof Long axis)) {
                    return bad(g, a);
                }
                quantizer = new PyValues.Quantizer(true, 0, 0, scales, zps, axis);
            }
            default ->
                throw new org.resnet4j.ResNet4jException.UnsupportedModelException(where
                        + ": quantization scheme " + scheme.qualified()
                        + ", supported: torch.per_tensor_affine and torch.per_channel_affine");
        }
        return new PyValues.QTensorRef((PyValues.TensorRef) data, quantizer);
    }

    private Object rebuildParameter(PyValues.Global g, PyValues.Tuple a, int n) {
        if (a.size() != n || !(a.get(0) instanceof PyValues.TensorRef)) {
            return bad(g, a);
        }
        return a.get(0);
    }

    private long[] longs(PyValues.Global g, PyValues.Tuple a, Object o) {
        if (!(o instanceof PyValues.Tuple t)) {
            bad(g, a);
            return null;
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.get(i) instanceof Long l)) {
                bad(g, a);
                return null;
            }
            out[i] = l;
        }
        return out;
    }

    private Object bad(PyValues.Global g, PyValues.Tuple a) {
        throw new FormatException(where + ": unexpected arguments to " + g.qualified() + ": " + PyValues.describe(a));
    }
}
