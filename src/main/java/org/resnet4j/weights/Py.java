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
final class Py {
    private Py() {}

    /** An immutable tuple; {@code depth} bounds the nesting so hashing cannot overflow the stack. */
    static final class Tuple {
        private final Object[] items;
        final int depth;

        Tuple(Object[] items) {
            this.items = items;
            int d = 0;
            for (Object o : items) {
                if (o instanceof Tuple t) {
                    d = Math.max(d, t.depth);
                }
            }
            this.depth = d + 1;
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

        @Override
        public boolean equals(Object o) {
            return o instanceof Tuple t && Arrays.equals(items, t.items);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(items);
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

        @Override
        public String toString() {
            return type + super.toString();
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
        } else if (o instanceof TensorRef) {
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
