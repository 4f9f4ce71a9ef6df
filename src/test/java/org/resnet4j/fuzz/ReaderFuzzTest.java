package org.resnet4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.resnet4j.ResNet4jException;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.tensor.Npy;
import org.resnet4j.weights.CheckpointLoader;

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
        b.writeBytes(new byte[] {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e});
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
        if (m instanceof TensorProto t && (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0)) {
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
            if (cause instanceof RuntimeException && !(cause instanceof ResNet4jException)
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
