package org.resnet4j;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The limits every reader of untrusted files applies (see SECURITY.md). Each has a default that no
 * real torchvision-style checkpoint, ONNX model, .npy or image comes near, and can be raised (or
 * lowered) with a system property {@code resnet4j.limit.NAME}, e.g.
 * {@code -Dresnet4j.limit.pickle.maxValues=8000000}. Properties are read each time a reader starts,
 * so a long-running service can change them between loads.
 */
public record ReaderLimits(
        long pickleMaxValues,
        long pickleMaxStack,
        long pickleMaxMemo,
        long pickleMaxTupleDepth,
        long pickleMaxStrBytes,
        long zipMaxEntries,
        long zipMaxInflateRatio,
        long zipMinInflateBudget,
        long copyBudgetFactor,
        long safetensorsMaxHeader,
        long npyMaxHeader,
        long onnxMaxNodes,
        long onnxMaxTensorElements,
        long onnxMaxDim,
        long onnxMaxObjects,
        long imageMaxPixels,
        long imageMaxBytes,
        long modelMaxStreamBytes) {

    /** Prefix of the system properties. */
    public static final String PREFIX = "resnet4j.limit.";

    /** Property name (without {@link #PREFIX}) to default value, in the record's order. */
    public static final Map<String, Long> DEFAULTS;

    static {
        Map<String, Long> d = new LinkedHashMap<>();
        d.put("pickle.maxValues", 1L << 20); // values one pickle may build (each op builds at most one)
        d.put("pickle.maxStack", 1L << 20);
        d.put("pickle.maxMemo", 1L << 20);
        d.put("pickle.maxTupleDepth", 200L);
        d.put("pickle.maxStrBytes", 16L << 20); // str and bytes of one pickle, in total (a state_dict's keys: ~50 kB)
        d.put("zip.maxEntries", 1L << 18);
        d.put("zip.maxInflateRatio", 20L); // all deflated entries together: ratio x file size ...
        d.put("zip.minInflateBudget", 64L << 20); // ... or this many bytes, whichever is more
        d.put("copy.budgetFactor", 3L); // tensor copies (widening, strided views): factor x file + 16 MiB
        d.put("safetensors.maxHeader", 100L << 20); // the reference implementation's limit
        d.put("npy.maxHeader", 1L << 16);
        d.put("onnx.maxNodes", 1L << 20);
        d.put("onnx.maxTensorElements", (long) Integer.MAX_VALUE - 8); // a Java array's limit
        d.put("onnx.maxDim", (long) Integer.MAX_VALUE);
        // messages, strings and unknown fields of one model, counted before parsing: each becomes a Java
        // object of up to ~250 bytes (an empty initializer, 2 bytes in the file, ~230), so this bounds
        // parsing to ~64 MiB beyond the file; a ResNet-152 has ~6,000
        d.put("onnx.maxObjects", 1L << 18);
        d.put("image.maxPixels", 2 * (1024L * 1024 * 1024 / 4 / 3)); // PIL's DecompressionBombError bound
        // an encoded image handed over as a stream is read into memory before decoding: at most this much
        d.put("image.maxBytes", 256L << 20);
        // a checkpoint or ONNX model handed over as a stream is copied (to a private temporary file,
        // or memory for ONNX) before it is read: at most this much (resnext101_64x4d's .pth: 334 MB)
        d.put("model.maxStreamBytes", 4L << 30);
        DEFAULTS = java.util.Collections.unmodifiableMap(d);
    }

    /** The limits now in force: defaults, overridden by {@code resnet4j.limit.*} system properties. */
    public static ReaderLimits current() {
        return new ReaderLimits(
                get("pickle.maxValues"),
                get("pickle.maxStack"),
                get("pickle.maxMemo"),
                get("pickle.maxTupleDepth"),
                get("pickle.maxStrBytes"),
                get("zip.maxEntries"),
                get("zip.maxInflateRatio"),
                get("zip.minInflateBudget"),
                get("copy.budgetFactor"),
                get("safetensors.maxHeader"),
                get("npy.maxHeader"),
                get("onnx.maxNodes"),
                get("onnx.maxTensorElements"),
                get("onnx.maxDim"),
                get("onnx.maxObjects"),
                get("image.maxPixels"),
                get("image.maxBytes"),
                get("model.maxStreamBytes"));
    }

    /** The name of the property that raises a limit, for messages: {@code -Dresnet4j.limit.NAME=...}. */
    public static String hint(String name) {
        return "raise with -D" + PREFIX + name + "=N";
    }

    private static long get(String name) {
        long def = DEFAULTS.get(name);
        String v = System.getProperty(PREFIX + name);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            long n = Long.parseLong(v.strip().replace("_", ""));
            if (n <= 0) {
                throw new NumberFormatException("not positive");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ResNet4jException("system property " + PREFIX + name + "='" + v + "' is not a positive integer");
        }
    }
}
