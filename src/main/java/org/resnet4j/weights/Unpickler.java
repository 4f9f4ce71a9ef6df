package org.resnet4j.weights;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.resnet4j.ReaderLimits;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;

/**
 * A restricted pickle interpreter (protocols 0 to 5, binary opcodes). It never imports or runs
 * anything: GLOBAL names go through {@link Hooks#findClass}, which refuses everything off the
 * allow-list, and REDUCE/NEWOBJ only call what {@link Hooks} built. Stack and memo are bounded;
 * every length read from the stream is checked against the bytes that remain.
 *
 * <p>One instance reads one pickle; not thread-safe.
 */
final class Unpickler {
    /** What the interpreter delegates: the allow-list, calls and persistent ids. */
    interface Hooks {
        /** Resolves GLOBAL/STACK_GLOBAL; throws {@link UnsafeContentException} when not allowed. */
        PyValues.Global findClass(String module, String name);

        /** REDUCE: {@code callable(*args)}. */
        Object call(PyValues.Global callable, PyValues.Tuple args);

        /** BINPERSID / PERSID. */
        Object persistentLoad(Object pid);
    }

    static final int MAX_LONG_BYTES = 4096;

    /** Limits from {@link ReaderLimits} ({@code resnet4j.limit.pickle.*}). */
    private final long maxStack;

    private final long maxMemo;
    private final long maxValues;
    private final int maxTupleDepth;
    /** Bytes of str and bytes payload still allowed: decoding costs up to 4 bytes of heap per byte. */
    private long strBytesLeft;

    private final long maxStrBytes;
    /** Values built so far: every opcode builds at most one, and each costs heap. */
    private long values;

    private static final Object MARK_OBJ = new Object();

    private final ByteBuffer data;
    private final int end;
    private final String where;
    private final Hooks hooks;
    private int pos;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    /**
     * @param data  the pickle bytes, read from {@code start} to {@code end} (absolute indices)
     * @param where "file (entry)" for messages
     */
    Unpickler(ByteBuffer data, int start, int end, String where, Hooks hooks) {
        this.data = data;
        this.pos = start;
        this.end = end;
        this.where = where;
        this.hooks = hooks;
        ReaderLimits limits = ReaderLimits.current();
        this.maxStack = limits.pickleMaxStack();
        this.maxMemo = limits.pickleMaxMemo();
        this.maxValues = limits.pickleMaxValues();
        this.maxTupleDepth = (int) Math.min(limits.pickleMaxTupleDepth(), 10_000);
        this.maxStrBytes = limits.pickleMaxStrBytes();
        this.strBytesLeft = maxStrBytes;
    }

    /** Position after STOP: where the next pickle of a legacy file begins. */
    int position() {
        return pos;
    }

    /** Runs until STOP and returns the top of the stack. */
    Object load() {
        while (true) {
            int at = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw fail(at, "unsupported pickle protocol " + proto + " (supported: 0 to 5)");
                    }
                }
                case 0x95 -> { // FRAME: a length hint only
                    need(8, at);
                    pos += 8;
                }
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw fail(at, "STOP with " + stack.size() + " values on the stack (expected 1)");
                    }
                    return stack.get(0);
                }
                case '(' -> {
                    if (marks.size() >= maxStack) {
                        throw bomb(at, "more than " + maxStack + " marks", "pickle.maxStack");
                    }
                    marks.add(stack.size());
                }
                case '0' -> pop(at); // POP
                case '1' -> popMark(at); // POP_MARK
                case '2' -> push(peek(at), at); // DUP
                case 'N' -> push(null, at);
                case 0x88 -> push(Boolean.TRUE, at);
                case 0x89 -> push(Boolean.FALSE, at);
                case 'J' -> push((long) i32(), at); // BININT
                case 'K' -> push((long) u8(), at); // BININT1
                case 'M' -> push((long) u16(), at); // BININT2
                case 0x8a -> push(readLong(u8(), at), at); // LONG1
                case 0x8b -> push(readLong(len32(at), at), at); // LONG4
                case 'G' -> push(Double.longBitsToDouble(u64be()), at); // BINFLOAT
                case 'I' -> push(parseTextInt(line(at), at), at); // INT (protocol 0)
                case 'L' -> push(parseTextInt(stripL(line(at)), at), at); // LONG (protocol 0)
                case 'F' -> push(parseTextFloat(line(at), at), at); // FLOAT (protocol 0)
                case 'X' -> push(utf8(len32(at), at), at); // BINUNICODE
                case 0x8c -> push(utf8(u8(), at), at); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(len64(at), at), at); // BINUNICODE8
                case 'C' -> push(bytes(u8(), at), at); // SHORT_BINBYTES
                case 'B' -> push(bytes(len32(at), at), at); // BINBYTES
                case 0x8e, 0x96 -> push(bytes(len64(at), at), at); // BINBYTES8, BYTEARRAY8
                case 'T' -> push(latin1(len32(at), at), at); // BINSTRING (py2 str)
                case 'U' -> push(latin1(u8(), at), at); // SHORT_BINSTRING
                case ')' -> push(new PyValues.Tuple(new Object[0]), at);
                case 0x85 -> push(tuple(popN(1, at), at), at);
                case 0x86 -> push(tuple(popN(2, at), at), at);
                case 0x87 -> push(tuple(popN(3, at), at), at);
                case 't' -> push(tuple(popMark(at).toArray(), at), at); // TUPLE
                case ']' -> push(new ArrayList<>(), at);
                case 'l' -> push(new ArrayList<>(popMark(at)), at); // LIST
                case '}' -> push(new LinkedHashMap<>(), at);
                case 'd' -> { // DICT
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putPairs(m, popMark(at), at);
                    push(m, at);
                }
                case 0x8f -> push(new PyValues.Set(), at); // EMPTY_SET
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark(at);
                    Object s = peek(at);
                    if (!(s instanceof PyValues.Set set)) {
                        throw fail(at, "ADDITEMS on a " + PyValues.typeName(s));
                    }
                    set.items.addAll(items);
                }
                case 0x91 -> { // FROZENSET
                    PyValues.Set s = new PyValues.Set();
                    s.items.addAll(popMark(at));
                    push(s, at);
                }
                case 'a' -> { // APPEND
                    Object v = pop(at);
                    list(peek(at), at).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark(at);
                    list(peek(at), at).addAll(items);
                }
                case 's' -> { // SETITEM
                    Object v = pop(at);
                    Object k = pop(at);
                    put(dict(peek(at), at), k, v, at);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark(at);
                    putPairs(dict(peek(at), at), items, at);
                }
                case 'q' -> memoPut(u8(), at); // BINPUT
                case 'r' -> memoPut(u32(), at); // LONG_BINPUT
                case 'p' -> memoPut(parseTextIndex(line(at), at), at); // PUT
                case 0x94 -> memoPut(memo.size(), at); // MEMOIZE
                case 'h' -> push(memoGet(u8(), at), at); // BINGET
                case 'j' -> push(memoGet(u32(), at), at); // LONG_BINGET
                case 'g' -> push(memoGet(parseTextIndex(line(at), at), at), at); // GET
                case 'c' -> { // GLOBAL
                    String module = line(at);
                    String name = line(at);
                    push(hooks.findClass(module, name), at);
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(at);
                    Object module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail(
                                at,
                                "STACK_GLOBAL needs two str, found " + PyValues.typeName(module) + " and "
                                        + PyValues.typeName(name));
                    }
                    push(hooks.findClass(m, n), at);
                }
                case 'R' -> { // REDUCE
                    Object args = pop(at);
                    Object f = pop(at);
                    push(hooks.call(callable(f, at), tupleArg(args, at)), at);
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args); only allowed classes reach here
                    Object args = pop(at);
                    Object cls = pop(at);
                    push(hooks.call(callable(cls, at), tupleArg(args, at)), at);
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object kwargs = pop(at);
                    Object args = pop(at);
                    Object cls = pop(at);
                    if (!(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) {
                        throw fail(at, "NEWOBJ_EX with keyword arguments is not supported");
                    }
                    push(hooks.call(callable(cls, at), tupleArg(args, at)), at);
                }
                case 'b' -> { // BUILD: only dicts take state, and we keep none of it (e.g. _metadata)
                    Object state = pop(at);
                    Object target = peek(at);
                    if (!(target instanceof Map)) {
                        throw fail(
                                at,
                                "BUILD on a " + PyValues.typeName(target) + " (only dict/OrderedDict accept state)");
                    }
                    if (state != null && !(state instanceof Map) && !(state instanceof PyValues.Tuple)) {
                        throw fail(at, "BUILD state of type " + PyValues.typeName(state));
                    }
                }
                case 'Q' -> push(hooks.persistentLoad(pop(at)), at); // BINPERSID
                case 'P' -> push(hooks.persistentLoad(line(at)), at); // PERSID
                case 0x82, 0x83, 0x84 ->
                    throw new UnsafeContentException(where + ": refused pickle extension-registry opcode 0x"
                            + Integer.toHexString(op) + " at offset " + at + " (it imports by code number)");
                case 'i', 'o' ->
                    throw new UnsafeContentException(
                            where + ": refused pickle opcode '" + (char) op + "' (INST/OBJ) at offset " + at);
                case 0x97, 0x98 ->
                    throw fail(at, "out-of-band buffers (NEXT_BUFFER/READONLY_BUFFER) are not supported");
                default ->
                    throw fail(
                            at,
                            "unknown pickle opcode 0x" + String.format("%02x", op)
                                    + (op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""));
            }
        }
    }

    // ---- stack and memo ----

    private void push(Object o, int at) {
        if (stack.size() >= maxStack) {
            throw bomb(at, "pickle stack exceeds " + maxStack + " values", "pickle.maxStack");
        }
        if (++values > maxValues) {
            throw bomb(at, "the pickle builds more than " + maxValues + " values", "pickle.maxValues");
        }
        stack.add(o);
    }

    private Object pop(int at) {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw fail(at, "pickle stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(int at) {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw fail(at, "pickle stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private Object[] popN(int n, int at) {
        Object[] out = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            out[i] = pop(at);
        }
        return out;
    }

    private List<Object> popMark(int at) {
        if (marks.isEmpty()) {
            throw fail(at, "no MARK on the pickle stack");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> view = stack.subList(m, stack.size());
        List<Object> items = new ArrayList<>(view);
        view.clear();
        return items;
    }

    private void memoPut(long index, int at) {
        if (memo.size() >= maxMemo && !memo.containsKey(index)) {
            throw bomb(at, "pickle memo exceeds " + maxMemo + " entries", "pickle.maxMemo");
        }
        memo.put(index, peek(at));
    }

    private Object memoGet(long index, int at) {
        if (!memo.containsKey(index)) {
            throw fail(at, "memo index " + index + " was never stored");
        }
        return memo.get(index);
    }

    // ---- helpers for containers ----

    private PyValues.Tuple tuple(Object[] items, int at) {
        PyValues.Tuple t = new PyValues.Tuple(items);
        if (t.depth > maxTupleDepth) {
            throw bomb(at, "tuples nested deeper than " + maxTupleDepth, "pickle.maxTupleDepth");
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, int at) {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw fail(at, "APPEND on a " + PyValues.typeName(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, int at) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw fail(at, "SETITEM on a " + PyValues.typeName(o));
    }

    private void putPairs(Map<Object, Object> m, List<Object> items, int at) {
        if (items.size() % 2 != 0) {
            throw fail(at, "odd number of values (" + items.size() + ") for dict items");
        }
        for (int i = 0; i < items.size(); i += 2) {
            put(m, items.get(i), items.get(i + 1), at);
        }
    }

    private void put(Map<Object, Object> m, Object k, Object v, int at) {
        Object key = key(k, at);
        String mixed = PyValues.mixedKeys(m, key);
        if (mixed != null) {
            throw new UnsupportedModelException(where + ": " + mixed + " at pickle offset " + at);
        }
        m.put(key, v);
    }

    /** Dict keys: str (bytes taken as latin-1 str, as Python 2 pickles have them) or scalars ({@link PyValues#keyProblem}). */
    private Object key(Object k, int at) {
        if (k instanceof byte[] b) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        String problem = PyValues.keyProblem(k);
        if (problem == null) {
            return k;
        }
        if (k instanceof PyValues.Tuple t && t.hashable) {
            throw new UnsupportedModelException(where + ": " + problem + " at pickle offset " + at);
        }
        throw fail(at, problem);
    }

    private PyValues.Global callable(Object f, int at) {
        if (f instanceof PyValues.Global g) {
            return g;
        }
        throw fail(at, "REDUCE/NEWOBJ on a " + PyValues.typeName(f) + ", not a callable");
    }

    private PyValues.Tuple tupleArg(Object args, int at) {
        if (args instanceof PyValues.Tuple t) {
            return t;
        }
        throw fail(at, "REDUCE/NEWOBJ arguments are a " + PyValues.typeName(args) + ", not a tuple");
    }

    // ---- reading ----

    private void need(long n, int at) {
        if (n < 0 || n > end - pos) {
            throw new FormatException(where + ": truncated pickle: opcode at offset " + at + " needs " + n + " bytes, "
                    + (end - pos) + " remain");
        }
    }

    private int u8() {
        need(1, pos);
        return data.get(pos++) & 0xff;
    }

    private int u16() {
        need(2, pos);
        int v = (data.get(pos) & 0xff) | (data.get(pos + 1) & 0xff) << 8;
        pos += 2;
        return v;
    }

    private int i32() {
        need(4, pos);
        int v = (data.get(pos) & 0xff)
                | (data.get(pos + 1) & 0xff) << 8
                | (data.get(pos + 2) & 0xff) << 16
                | data.get(pos + 3) << 24;
        pos += 4;
        return v;
    }

    private long u32() {
        return i32() & 0xffffffffL;
    }

    private long i64le() {
        need(8, pos);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (data.get(pos + i) & 0xff);
        }
        pos += 8;
        return v;
    }

    private long u64be() {
        need(8, pos);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (data.get(pos + i) & 0xff);
        }
        pos += 8;
        return v;
    }

    private int len32(int at) {
        long n = u32();
        need(n, at);
        return (int) n;
    }

    private int len64(int at) {
        long n = i64le();
        need(n, at);
        return (int) n;
    }

    private Object readLong(int n, int at) {
        if (n > MAX_LONG_BYTES) {
            throw bomb(at, "integer of " + n + " bytes (limit " + MAX_LONG_BYTES + ")", null);
        }
        need(n, at);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = data.get(pos + n - 1 - i);
        }
        pos += n;
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** Charges a str/bytes payload of {@code n} bytes to the pickle's budget, before anything is allocated. */
    private void chargeString(int n, int at) {
        if (n > strBytesLeft) {
            throw bomb(
                    at,
                    "str and bytes values of more than " + maxStrBytes + " bytes in all (this one: " + n + " bytes)",
                    "pickle.maxStrBytes");
        }
        strBytesLeft -= n;
    }

    private String utf8(int n, int at) {
        need(n, at);
        chargeString(n, at);
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(data.duplicate().limit(pos + n).position(pos))
                    .toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw fail(at, "invalid UTF-8 in a string of " + n + " bytes");
        }
    }

    private String latin1(int n, int at) {
        need(n, at);
        chargeString(n, at);
        String s = StandardCharsets.ISO_8859_1
                .decode(data.duplicate().limit(pos + n).position(pos))
                .toString();
        pos += n;
        return s;
    }

    private byte[] bytes(int n, int at) {
        need(n, at);
        chargeString(n, at);
        byte[] out = new byte[n];
        data.get(pos, out);
        pos += n;
        return out;
    }

    /** A newline-terminated ASCII argument (protocol 0 opcodes and GLOBAL). */
    private String line(int at) {
        int start = pos;
        int limit = Math.min(end, pos + 1024);
        for (int i = start; i < limit; i++) {
            if (data.get(i) == '\n') {
                pos = i + 1;
                CharBuffer cb = StandardCharsets.ISO_8859_1.decode(
                        data.duplicate().limit(i).position(start));
                return cb.toString();
            }
        }
        throw fail(at, "no newline within 1024 bytes for a text argument");
    }

    private static String stripL(String s) {
        return s.endsWith("L") ? s.substring(0, s.length() - 1) : s;
    }

    private Object parseTextInt(String s, int at) {
        if (s.equals("00")) {
            return Boolean.FALSE;
        } else if (s.equals("01")) {
            return Boolean.TRUE;
        }
        try {
            BigInteger v = new BigInteger(s.strip());
            return v.bitLength() < 64 ? (Object) v.longValue() : v;
        } catch (NumberFormatException e) {
            throw fail(at, "bad integer literal '" + s + "'");
        }
    }

    private long parseTextIndex(String s, int at) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw fail(at, "bad memo index '" + s + "'");
        }
    }

    private Double parseTextFloat(String s, int at) {
        try {
            return Double.valueOf(s.strip());
        } catch (NumberFormatException e) {
            throw fail(at, "bad float literal '" + s + "'");
        }
    }

    private FormatException fail(int at, String what) {
        return new FormatException(where + ": " + what + " at pickle offset " + at);
    }

    private UnsafeContentException bomb(int at, String what, String limit) {
        return new UnsafeContentException(where + ": refused pickle: " + what + " at offset " + at
                + (limit == null ? "" : " (" + ReaderLimits.hint(limit) + ")"));
    }
}
