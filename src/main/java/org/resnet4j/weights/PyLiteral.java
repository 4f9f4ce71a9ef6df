package org.resnet4j.weights;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Python literals a {@code .npy} header is made of, parsed as {@code ast.literal_eval} reads them
 * (what NumPy does): a dict of string keys; str ('...' or "...", the escapes \\ \' \" and \n, an
 * optional u prefix), bool, int (an optional sign, Python 2's L suffix that NumPy still accepts in
 * version 1.0 headers), and tuple, where {@code (3)} is an int and {@code (3,)} a tuple. Anything else
 * is refused with the offset it stops at, and so is a key given twice (Python would keep the last
 * value; a header that says two things is refused rather than read either way). Hand-written rather
 * than a library's: it reads untrusted files, must read exactly NumPy's literal grammar, and is small.
 * Values: {@link String}, {@link Boolean}, {@link Long}, {@code List<Object>} (a tuple),
 * {@code Map<String, Object>} (the dict, in order).
 */
final class PyLiteral {
    /** A header that is not the literal it should be: the message says what and where. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message);
        }
    }

    private final String text;
    private int pos;

    private PyLiteral(String text) {
        this.text = text;
    }

    /** The dict literal {@code text} holds (whitespace around it allowed), nothing after it. */
    static Map<String, Object> dict(String text) throws SyntaxError {
        PyLiteral p = new PyLiteral(text);
        p.skipSpace();
        if (!p.peek('{')) {
            throw p.error("expected a dict '{'");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the dict");
        }
        return d;
    }

    /** Nesting deeper than this is no header of NumPy's. */
    private static final int MAX_DEPTH = 8;

    private Object value(int depth) throws SyntaxError {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        skipSpace();
        if (pos >= text.length()) {
            throw error("expected a value, found the end");
        }
        char c = text.charAt(pos);
        if (c == '{') {
            return dictBody(depth);
        }
        if (c == '(') {
            return tupleBody(depth);
        }
        if (c == '\''
                || c == '"'
                || ((c == 'u' || c == 'U') && pos + 1 < text.length() && isQuote(text.charAt(pos + 1)))) {
            return string();
        }
        if (c == '-' || c == '+' || Character.isDigit(c)) {
            return integer();
        }
        if (text.startsWith("True", pos) && !identifierAt(pos + 4)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", pos) && !identifierAt(pos + 5)) {
            pos += 5;
            return Boolean.FALSE;
        }
        throw error("expected a str, int, bool, tuple or dict");
    }

    private Map<String, Object> dictBody(int depth) throws SyntaxError {
        pos++; // {
        Map<String, Object> d = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (peek('}')) {
                pos++;
                return Collections.unmodifiableMap(d);
            }
            int keyAt = pos;
            Object key = value(depth + 1);
            if (!(key instanceof String k)) {
                pos = keyAt;
                throw error("expected a str key");
            }
            skipSpace();
            expect(':');
            Object v = value(depth + 1);
            if (d.containsKey(k)) {
                pos = keyAt;
                throw error("key '" + k + "' is given twice");
            }
            d.put(k, v);
            skipSpace();
            if (peek(',')) {
                pos++;
            } else if (!peek('}')) {
                throw error("expected ',' or '}'");
            }
        }
    }

    // (a) is a, (a,) and (a, b) and () are tuples
    private Object tupleBody(int depth) throws SyntaxError {
        pos++; // (
        List<Object> items = new ArrayList<>();
        boolean comma = false;
        while (true) {
            skipSpace();
            if (peek(')')) {
                pos++;
                if (items.size() == 1 && !comma) {
                    return items.get(0);
                }
                return Collections.unmodifiableList(items);
            }
            items.add(value(depth + 1));
            skipSpace();
            comma = false;
            if (peek(',')) {
                pos++;
                comma = true;
            } else if (!peek(')')) {
                throw error("expected ',' or ')'");
            }
        }
    }

    private String string() throws SyntaxError {
        if (text.charAt(pos) == 'u' || text.charAt(pos) == 'U') {
            pos++;
        }
        char quote = text.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\n') {
                throw error("newline inside a string");
            }
            if (c == '\\') {
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '\\', '\'', '"' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    default -> {
                        pos -= 2;
                        throw error("unsupported escape \\" + e);
                    }
                }
            } else {
                sb.append(c);
            }
        }
    }

    private Long integer() throws SyntaxError {
        int start = pos;
        if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
            pos++;
            skipSpace(); // Python reads "- 3" as -3
        }
        int digits = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) {
            pos++;
        }
        if (pos == digits) {
            pos = start;
            throw error("expected digits");
        }
        String num = text.substring(digits, pos);
        if (num.length() > 1 && num.charAt(0) == '0') {
            pos = digits;
            throw error("leading zeros in an int");
        }
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
            pos++; // Python 2's long suffix
        }
        if (identifierAt(pos)) {
            throw error("unexpected character in an int");
        }
        try {
            long v = Long.parseLong(num);
            return text.charAt(start) == '-' ? -v : v;
        } catch (NumberFormatException e) {
            pos = digits;
            throw error("int " + num + " is too large");
        }
    }

    private boolean identifierAt(int i) {
        return i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_');
    }

    private static boolean isQuote(char c) {
        return c == '\'' || c == '"';
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) throws SyntaxError {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length() && " \t\n\r\f".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private SyntaxError error(String what) {
        return new SyntaxError(what + " at offset " + pos);
    }
}
