package org.resnet4j.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.resnet4j.ResNet4jException;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.weights.CheckpointLoader;
import org.resnet4j.weights.Npy;

/**
 * Jazzer fuzz targets for every reader of untrusted bytes. A target passes an input when the
 * reader returns or throws a {@link ResNet4jException}; anything else (a raw runtime exception, a
 * stack overflow, running out of memory, a timeout) is a finding.
 *
 * <p>In the normal {@code mvn test} run these replay the seeds in
 * {@code src/test/resources/org/resnet4j/fuzz/ReaderFuzzTestInputs/<method>/} (regression mode,
 * fast). A long run, one target at a time (see SECURITY.md):
 * <pre>JAZZER_FUZZ=1 mvn test -Dtest='ReaderFuzzTest#zip' -Djazzer.max_duration=10m</pre>
 */
class ReaderFuzzTest {
    /** The pickled magic number, protocol 1001 and {'little_endian': True, ...} of a legacy torch.save. */
    private static final byte[] LEGACY_PREFIX = legacyPrefix();

    private static byte[] legacyPrefix() {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        // magic: \x80\x02\x8a\x0a + 10 bytes + '.'
        b.writeBytes(new byte[] {
            (byte) 0x80,
            0x02,
            (byte) 0x8a,
            0x0a,
            0x6c,
            (byte) 0xfc,
            (byte) 0x9c,
            0x46,
            (byte) 0xf9,
            0x20,
            0x6a,
            (byte) 0xa8,
            0x50,
            0x19,
            0x2e
        });
        // protocol version 1001: \x80\x02 M \xe9\x03 .
        b.writeBytes(new byte[] {(byte) 0x80, 0x02, 'M', (byte) 0xe9, 0x03, '.'});
        // sys_info: {'little_endian': True}
        b.writeBytes(new byte[] {(byte) 0x80, 0x02, '}', 'q', 0x00, 'X', 0x0d, 0, 0, 0});
        b.writeBytes("little_endian".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.writeBytes(new byte[] {(byte) 0x88, 's', '.'});
        return b.toByteArray();
    }

    /** The restricted unpickler and the allow-list, on the object pickle of a legacy checkpoint. */
    @FuzzTest(maxDuration = "10m")
    void unpickler(byte[] data) {
        byte[] file = new byte[LEGACY_PREFIX.length + data.length];
        System.arraycopy(LEGACY_PREFIX, 0, file, 0, LEGACY_PREFIX.length);
        System.arraycopy(data, 0, file, LEGACY_PREFIX.length, data.length);
        withFile(file, ".pth", CheckpointLoader::load);
    }

    /** The zip container (torch.save since 1.6), its pickle and tensor decoding. */
    @FuzzTest(maxDuration = "10m")
    void zip(byte[] data) {
        withFile(forceMagic(data, new byte[] {'P', 'K', 3, 4}), ".pth", CheckpointLoader::load);
    }

    /** safetensors: header JSON, offsets, tensor decoding. */
    @FuzzTest(maxDuration = "10m")
    void safetensors(byte[] data) {
        if (data.length >= 9) {
            data = data.clone();
            data[8] = '{'; // what the format sniffer looks for
        }
        withFile(data, ".safetensors", CheckpointLoader::load);
    }

    // ---- structured targets for issue 10's mechanisms: random bytes almost never build these

    /** No structured input may take longer than this (the fixed readers need well under a second). */
    private static final long SLOW_NANOS = 30_000_000_000L;

    /**
     * Tuple DAGs, t_k = (t_{k-1}, t_{k-1}) shared through the memo (2^k leaves from a few bytes per
     * level), put where the readers hash, compare or describe values: a dict or OrderedDict key, a
     * dict value, torch.Size's argument, a persistent id; then fuzzer bytes before STOP.
     */
    @FuzzTest(maxDuration = "10m")
    void tupleDags(FuzzedDataProvider in) {
        int levels = in.consumeInt(0, 260);
        int use = in.consumeInt(0, 4);
        java.io.ByteArrayOutputStream p = new java.io.ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 0x02});
        byte[] dag = tupleDag(levels);
        byte[] one = {'K', 1};
        switch (use) {
            case 0 -> p.writeBytes(cat(new byte[] {'}'}, dag, one, new byte[] {'s'}));
            case 1 ->
                p.writeBytes(cat(
                        ascii("ccollections\nOrderedDict\n]"), dag, one, new byte[] {(byte) 0x86, 'a', (byte) 0x85, 'R'
                        }));
            case 2 -> p.writeBytes(cat(new byte[] {'}', 'X', 1, 0, 0, 0, 'x'}, dag, new byte[] {'s'}));
            case 3 ->
                p.writeBytes(cat(new byte[] {'}', 'X', 1, 0, 0, 0, 'x'}, ascii("ctorch\nSize\n"), dag, new byte[] {
                    (byte) 0x85, 'R', 's'
                }));
            default -> p.writeBytes(cat(dag, new byte[] {'Q'}));
        }
        p.writeBytes(in.consumeRemainingAsBytes());
        p.write('.');
        byte[] file = cat(LEGACY_PREFIX, p.toByteArray());
        timed(() -> withFile(file, ".pth", CheckpointLoader::load));
    }

    /**
     * Keys behind many wrapper prefixes ({@code module.} x 300,000) with fuzzer-chosen tails,
     * among them Hugging Face names with indices of any length, in a safetensors file.
     */
    @FuzzTest(maxDuration = "10m")
    void longPrefixes(FuzzedDataProvider in) {
        int repeats = in.consumeInt(0, 300_000);
        String prefix =
                in.pickValue(new String[] {"module.", "_orig_mod.", "model.", "module._orig_mod.", "mod", "module"});
        int keys = in.consumeInt(1, 4);
        java.util.Map<String, Object> header = new java.util.LinkedHashMap<>();
        String repeated = prefix.repeat(repeats);
        for (int i = 0; i < keys; i++) {
            String digits = in.consumeString(40).replaceAll("[^0-9]", "") + in.consumeInt(0, 9);
            String tail = in.pickValue(new String[] {
                "conv1.weight",
                "layer1.0.conv1.weight",
                "fc.weight",
                "embedder.embedder.convolution.weight",
                "encoder.stages." + digits + ".layers.0.layer.0.convolution.weight",
                "encoder.stages.0.layers." + digits + ".shortcut.normalization.running_var",
                "layer" + digits + ".0.bn1.bias",
                in.consumeString(40)
            });
            header.put(
                    (in.consumeBoolean() ? repeated : "") + tail,
                    java.util.Map.of(
                            "dtype", "F32", "shape", java.util.List.of(0), "data_offsets", java.util.List.of(0, 0)));
        }
        byte[] json;
        try {
            json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] file = cat(
                java.nio.ByteBuffer.allocate(8)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .putLong(json.length)
                        .array(),
                json);
        timed(() -> withFile(file, ".safetensors", CheckpointLoader::load));
    }

    /** Pickle ops leaving t_levels on the stack; memo indices above 255 use LONG_BINPUT/LONG_BINGET. */
    private static byte[] tupleDag(int levels) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        o.writeBytes(new byte[] {')'});
        put(o, 0);
        for (int k = 1; k <= levels; k++) {
            get(o, k - 1);
            get(o, k - 1);
            o.write(0x86);
            put(o, k);
        }
        get(o, levels);
        return o.toByteArray();
    }

    private static void put(java.io.ByteArrayOutputStream o, int k) {
        o.writeBytes(k < 256 ? new byte[] {'q', (byte) k} : cat(new byte[] {'r'}, le32(k)));
        o.write('0'); // POP: the memo keeps it
    }

    private static void get(java.io.ByteArrayOutputStream o, int k) {
        o.writeBytes(k < 256 ? new byte[] {'h', (byte) k} : cat(new byte[] {'j'}, le32(k)));
    }

    private static byte[] le32(int v) {
        return java.nio.ByteBuffer.allocate(4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(v)
                .array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static byte[] cat(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] b : parts) {
            o.writeBytes(b);
        }
        return o.toByteArray();
    }

    private static void timed(Runnable r) {
        long t = System.nanoTime();
        r.run();
        long took = System.nanoTime() - t;
        if (took > SLOW_NANOS) {
            throw new AssertionError("one input took " + took / 1_000_000 + " ms: time is not linear in the input");
        }
    }

    /**
     * The .npy header's Python literal (PyLiteral), behind a valid magic, version and length: the fuzzed
     * bytes are the header text, followed by 24 bytes of data.
     */
    @FuzzTest(maxDuration = "10m")
    void npyHeader(byte[] header) {
        int len = Math.min(header.length, 60000);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + len + 24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.putShort((short) len).put(header, 0, len);
        withFile(b.array(), ".npy", Npy::read);
    }

    /** .npy headers and data. */
    @FuzzTest(maxDuration = "10m")
    void npy(byte[] data) {
        withFile(forceMagic(data, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}), ".npy", Npy::read);
    }

    /**
     * ONNX: object count, protobuf parse, {@code OnnxValidator}, then reading every float initializer.
     * A model that is accepted is walked again by reflection, independently of the validator's walk:
     * a tensor anywhere (function attribute defaults, attribute lists, sparse values and indices,
     * subgraphs) with external data is a finding, as is an accepted sparse tensor over the dense limit.
     */
    @FuzzTest(maxDuration = "10m")
    void onnx(byte[] data) {
        withFile(data, ".onnx", p -> {
            ModelProto m = Onnx.read(p);
            for (TensorProto t : m.getGraph().getInitializerList()) {
                if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                    Onnx.toTensor(t);
                }
            }
            everyTensorIsInline(m);
            return m;
        });
    }

    private static void everyTensorIsInline(com.google.protobuf.Message m) {
        if (m instanceof TensorProto t
                && (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0)) {
            throw new AssertionError("accepted a tensor with external data: " + t.getName());
        }
        if (m instanceof org.resnet4j.onnx.SparseTensorProto s) {
            long n = 1;
            for (long d : s.getDimsList()) {
                n *= d; // the validator bounded each dim and the product already
            }
            if (n * 4 > (64L << 20) + 16L * m.getSerializedSize() * 4) {
                throw new AssertionError("accepted a sparse tensor of " + n + " dense elements");
            }
        }
        for (var e : m.getAllFields().entrySet()) {
            if (e.getKey().getJavaType() != com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (e.getKey().isRepeated()) {
                for (Object o : (java.util.List<?>) e.getValue()) {
                    everyTensorIsInline((com.google.protobuf.Message) o);
                }
            } else {
                everyTensorIsInline((com.google.protobuf.Message) e.getValue());
            }
        }
    }

    private static byte[] forceMagic(byte[] data, byte[] magic) {
        if (data.length < magic.length) {
            byte[] out = new byte[magic.length + data.length];
            System.arraycopy(magic, 0, out, 0, magic.length);
            System.arraycopy(data, 0, out, magic.length, data.length);
            return out;
        }
        byte[] out = data.clone();
        System.arraycopy(magic, 0, out, 0, magic.length);
        return out;
    }

    private static void withFile(byte[] bytes, String suffix, java.util.function.Function<Path, ?> reader) {
        Path p;
        try {
            p = Files.createTempFile("fuzz", suffix);
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            reader.apply(p);
        } catch (ResNet4jException expected) {
            if (expected.getMessage() == null || !expected.getMessage().contains(p.toString())) {
                throw new AssertionError("error message does not name the file: " + expected.getMessage(), expected);
            }
            // one error line: names from the file may not bring control characters into it
            if (!expected.getMessage().equals(ResNet4jException.printable(expected.getMessage()))) {
                throw new AssertionError("control characters in the message: " + expected.getMessage(), expected);
            }
            // CheckpointLoader turns a check we missed into "corrupt checkpoint (java.lang....)": still a finding
            Throwable cause = expected.getCause();
            if (cause instanceof RuntimeException
                    && !(cause instanceof ResNet4jException)
                    && !(cause instanceof UncheckedIOException)) {
                throw new AssertionError("a missed check surfaced as " + cause, expected);
            }
        } finally {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a temp file left behind is harmless
            }
        }
    }
}
