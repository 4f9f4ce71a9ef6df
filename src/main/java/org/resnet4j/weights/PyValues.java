package org.resnet4j.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The Python values our restricted unpickler builds. Plain containers map to Java ones (dict and
 * OrderedDict to {@link java.util.LinkedHashMap}, list to {@link ArrayList}, int to {@link Long} or
 * {@link java.math.BigInteger}, float to {@link Double}, str to {@link String}, bytes to
 * {@code byte[]}); the types here cover what has no Java counterpart.
 */
final class PyValues {
    private PyValues() {}

    /**
     * An immutable tuple; {@code depth} bounds the nesting so hashing cannot overflow the stack.
     * Its hash is computed once, from its items' (cached) hashes: a tuple may share one sub-tuple
     * many times (t_k = (t_{k-1}, t_{k-1})), and recomputing through the sharing would take 2^depth
     * steps.
     */
    static final class Tuple {
        private final Object[] items;
        final int depth;
        /** True when every item is hashable: then equals/hashCode recurse only through tuples (depth-bounded). */
        final boolean hashable;

        private final int hash;

        Tuple(Object[] items) {
            this.items = items;
            int d = 0;
            boolean h = true;
            for (Object o : items) {
                if (o instanceof Tuple t) {
                    d = Math.max(d, t.depth);
                }
                h &= isHashable(o);
            }
            this.depth = d + 1;
            this.hashable = h;
            this.hash = h ? Arrays.hashCode(items) : System.identityHashCode(this);
        }

        int size() {
            return items.length;
        }

        Object get(int i) {
            return items[i];
        }

        List<Object> asList() {
            return Arrays.asList(items);
        }

        // A tuple holding a list or dict is compared by identity, as Python refuses to hash it:
        // hashing its contents could recurse without end (a list may contain itself). Dict keys are
        // never tuples (Unpickler.key), so no map compares two tuples deeply.
        @Override
        public boolean equals(Object o) {
            return o == this
                    || (hashable
                            && o instanceof Tuple t
                            && t.hashable
                            && hash == t.hash
                            && Arrays.equals(items, t.items));
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return describe(this);
        }
    }

    /** A set or frozenset: kept as a list, we never need membership tests. */
    static final class Set {
        final List<Object> items = new ArrayList<>();
    }

    /**
     * A plain-data object from a training checkpoint's bookkeeping ({@code argparse.Namespace},
     * a NumPy scalar, Lightning's {@code AttributeDict}): nothing of it is ever called or used; it
     * is a dict so that the pickle's SETITEMS/BUILD of its fields is accepted and kept as data.
     */
    static final class Opaque extends java.util.LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
        final String type;

        Opaque(String type) {
            this.type = type;
        }

        // Shallow, like describe(): fields may nest deeply or contain this object itself.
        @Override
        public String toString() {
            return type + " with " + size() + " fields";
        }
    }

    /** A global that passed the allow-list, waiting to be called by REDUCE or NEWOBJ. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }

        @Override
        public String toString() {
            return qualified();
        }
    }

    /** A persistent storage reference: {@code ('storage', type, key, location, numel[, view])}. */
    record StorageRef(org.resnet4j.tensor.DType dtype, String typeName, String key, String location, long numel) {}

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, ...)}, not yet materialised. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
        long numel() {
            long n = 1;
            for (long s : size) {
                n = Math.multiplyExact(n, s);
            }
            return n;
        }
    }

    /**
     * {@code _rebuild_qtensor(storage, offset, size, stride, quantizer_params, ...)}: the integer
     * values ({@code data}, a qint8/quint8/qint32 storage) and how they map to reals.
     */
    record QTensorRef(TensorRef data, Quantizer quantizer) {}

    /**
     * torch's affine quantizers: {@code per_tensor_affine} (one {@code scale} and {@code zeroPoint}) or
     * {@code per_channel_affine} ({@code scales}, {@code zeroPoints} along {@code axis}); real =
     * (q - zero point) * scale.
     */
    record Quantizer(
            boolean perChannel, double scale, long zeroPoint, TensorRef scales, TensorRef zeroPoints, long axis) {}

    /** Immutable scalars, globals and tuples of them: what Python lets be a dict key. */
    static boolean isHashable(Object k) {
        return k == null
                || k instanceof String
                || k instanceof Long
                || k instanceof java.math.BigInteger
                || k instanceof Double
                || k instanceof Boolean
                || k instanceof Global
                || (k instanceof Tuple t && t.hashable);
    }

    /**
     * Why {@code k} cannot be a key of a dict we build, or null when it can. Python allows any
     * hashable value; torch checkpoints key their dicts by str (state_dicts, configs) or int
     * (optimizer state), so we take only scalars. A tuple key is refused even when hashable: its
     * hash and equality walk its items, and tuple hashes collide by construction, so tuple keys
     * could make a dict of n entries cost n^2 comparisons.
     */
    static String keyProblem(Object k) {
        if (k == null
                || k instanceof String
                || k instanceof Long
                || k instanceof java.math.BigInteger
                || k instanceof Double
                || k instanceof Boolean) {
            return null;
        }
        if (!isHashable(k)) {
            return "unhashable dict key of type " + typeName(k);
        }
        return "dict key of type " + typeName(k) + " (resnet4j reads dicts keyed by str, int, float, bool or None,"
                + " as torch checkpoints are)";
    }

    /** Entries a dict may hold while its keys are of more than one type. */
    static final int MAX_MIXED_KEYS = 64;

    /**
     * Why {@code k} cannot join {@code m}, or null when it can: a dict of more than
     * {@value #MAX_MIXED_KEYS} entries must have keys of one type. Java's HashMap keeps colliding
     * keys in a tree ordered by {@code compareTo}, which cannot order a str against an int: such a
     * bucket is searched whole on every insertion, so a pickle of colliding str and int keys (both
     * hashes are easy to choose) would make a dict of n entries cost n^2 steps. Checkpoints key a
     * dict by str (state_dicts, configs) or by int (optimizer state), not both.
     */
    static String mixedKeys(Map<?, ?> m, Object k) {
        int n = m.size();
        if (n < MAX_MIXED_KEYS) {
            return null;
        }
        Class<?> first = keyClass(m.keySet().iterator().next());
        if (n == MAX_MIXED_KEYS) { // growing past the bound: all keys so far must agree (checked once per dict)
            for (Object o : m.keySet()) {
                if (keyClass(o) != first) {
                    return mixed(first, o);
                }
            }
        }
        return keyClass(k) == first || m.containsKey(k) ? null : mixed(first, k);
    }

    private static Class<?> keyClass(Object k) {
        return k == null ? Void.class : k.getClass();
    }

    private static String mixed(Class<?> first, Object other) {
        return "a dict of more than " + MAX_MIXED_KEYS + " entries with keys of more than one type ("
                + (first == Void.class ? "None" : first == String.class ? "str" : first.getSimpleName()) + " and "
                + typeName(other) + "; resnet4j reads larger dicts keyed by one type, as torch checkpoints are)";
    }

    /** The Python type name of a value, for messages. */
    static String typeName(Object o) {
        if (o == null) {
            return "None";
        } else if (o instanceof String) {
            return "str";
        } else if (o instanceof Long || o instanceof java.math.BigInteger) {
            return "int";
        } else if (o instanceof Double) {
            return "float";
        } else if (o instanceof Boolean) {
            return "bool";
        } else if (o instanceof byte[]) {
            return "bytes";
        } else if (o instanceof Map) {
            return "dict";
        } else if (o instanceof List) {
            return "list";
        } else if (o instanceof Tuple) {
            return "tuple";
        } else if (o instanceof Set) {
            return "set";
        } else if (o instanceof TensorRef || o instanceof QTensorRef) {
            return "Tensor";
        } else if (o instanceof StorageRef) {
            return "Storage";
        } else if (o instanceof Global g) {
            return g.qualified();
        }
        return o.getClass().getSimpleName();
    }

    /** A short, bounded rendering of a value for messages (never recurses into containers deeply). */
    static String describe(Object o) {
        if (o instanceof String s) {
            return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        } else if (o instanceof Long || o instanceof Double || o instanceof Boolean || o == null) {
            return String.valueOf(o);
        } else if (o instanceof Tuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < Math.min(t.size(), 6); i++) {
                Object x = t.get(i);
                sb.append(i > 0 ? ", " : "").append(x instanceof Tuple ? "(...)" : describeShallow(x));
            }
            return sb.append(t.size() > 6 ? ", ...)" : ")").toString();
        }
        return describeShallow(o);
    }

    private static String describeShallow(Object o) {
        if (o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean || o == null) {
            return describe(o);
        } else if (o instanceof Map<?, ?> m) {
            return "dict of " + m.size();
        } else if (o instanceof List<?> l) {
            return "list of " + l.size();
        }
        return typeName(o);
    }
}
