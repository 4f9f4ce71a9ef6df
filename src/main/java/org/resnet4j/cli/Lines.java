package org.resnet4j.cli;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintWriter;
import java.util.Locale;
import org.resnet4j.ResNet4jException;

/**
 * What the commands print, made safe for a terminal: file names, labels and a model's metadata come
 * from files an attacker may write, and printed raw an ESC, OSC or BEL sequence drives the terminal and
 * a newline forges a second line ("error: forged"). Text lines escape every control character as error
 * lines do ({@link ResNet4jException#printable}); JSON escapes everything outside ASCII as \\uXXXX, so
 * it stays JSON and stays inert.
 */
final class Lines {
    /** The mapper of every JSON the commands print: indented, non-ASCII (U+2028, C1, bidi controls) escaped. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    private Lines() {}

    /** {@code node} as the indented, escaped JSON text {@link #JSON} writes. */
    static String json(Object node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** Prints {@code line} with its control characters escaped. */
    static void println(PrintWriter w, String line) {
        w.println(ResNet4jException.printable(line));
    }

    /** Prints {@code format} (ours, trusted) with every argument that is not a number escaped. */
    static void printf(PrintWriter w, String format, Object... args) {
        Object[] safe = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            safe[i] = args[i] == null || args[i] instanceof Number || args[i] instanceof Boolean
                    ? args[i]
                    : ResNet4jException.printable(String.valueOf(args[i]));
        }
        w.printf(Locale.ROOT, format, safe);
    }
}
