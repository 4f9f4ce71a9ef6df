package org.resnet4j.weights;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.files.AtomicOutput;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * Writes a state_dict as the zip {@code .pth} file that {@code torch.save} (PyTorch 1.6 and later)
 * writes and {@code torch.load} reads, also with {@code weights_only=True}.
 *
 * <p>The zip holds, all entries STORED (uncompressed) with correct CRC-32:
 * <ul>
 * <li>{@code archive/data.pkl}: a protocol-2 pickle of a {@code collections.OrderedDict} from name
 *     to tensor, each tensor {@code torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}
 *     whose storage is a persistent id {@code ('storage', torch.FloatStorage, '<key>', 'cpu', numel)};</li>
 * <li>{@code archive/byteorder}: {@code little};</li>
 * <li>{@code archive/data/<key>}: each storage's little-endian bytes, starting at a multiple of 64
 *     in the file as torch aligns them (padding in the local header's extra field, id {@code FB});</li>
 * <li>{@code archive/version}: {@code 3}.</li>
 * </ul>
 * Every tensor has its own storage, contiguous, offset 0. Tensors are written as float32
 * ({@code FloatStorage}) except those whose {@link Tensor#sourceType()} is an integer type, which keep
 * it, the float value rounded: int64 ({@code LongStorage}: {@code num_batches_tracked}, zero points),
 * int8 and uint8 ({@code CharStorage}, {@code ByteStorage}: a quantized checkpoint's integers, so that
 * torch can rebuild its quantized tensors from them exactly).
 * Names are written as given: map them to canonical names first ({@link NamingSchemes}) so that
 * {@code model.load_state_dict(torch.load(f), strict=True)} accepts the file. Files beyond 4 GiB
 * (which would need ZIP64) are refused. The file is written via {@link AtomicOutput}.
 */
public final class PthWriter {
    /** torch's {@code kFieldAlignment}: data records start at multiples of this in the file. */
    static final int ALIGNMENT = 64;

    static final String ARCHIVE = "archive";

    private PthWriter() {}

    public static void write(StateDict weights, Path target) throws IOException {
        byte[] pickle = pickle(weights);
        AtomicOutput.write(target, raw -> {
            ZipWriter zip = new ZipWriter(raw);
            zip.entry(ARCHIVE + "/data.pkl", ByteBuffer.wrap(pickle));
            zip.entry(ARCHIVE + "/byteorder", ascii("little"));
            int key = 0;
            for (Tensor t : weights.asMap().values()) {
                zip.entry(ARCHIVE + "/data/" + key++, storageBytes(t));
            }
            zip.entry(ARCHIVE + "/version", ascii("3\n"));
            zip.finish();
        });
    }

    /** The data.pkl bytes for {@code weights}; storage keys are "0", "1", ... in order. */
    static byte[] pickle(StateDict weights) {
        Pickler p = new Pickler();
        p.proto2();
        p.global("collections", "OrderedDict");
        p.emptyTuple();
        p.reduce();
        p.mark();
        int key = 0;
        for (Map.Entry<String, Tensor> e : weights.asMap().entrySet()) {
            Tensor t = e.getValue();
            int[] shape = t.shape();
            long[] stride = new long[shape.length];
            long s = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                stride[i] = s;
                s *= shape[i];
            }
            p.unicode(e.getKey());
            p.global("torch._utils", "_rebuild_tensor_v2");
            p.mark(); // args of _rebuild_tensor_v2
            p.mark(); // persistent id
            p.unicode("storage");
            p.global("torch", storageClass(t.sourceType()));
            p.unicode(Integer.toString(key++));
            p.unicode("cpu");
            p.integer(t.numel());
            p.tuple();
            p.binpersid();
            p.integer(0);
            p.mark();
            for (int d : shape) {
                p.integer(d);
            }
            p.tuple();
            p.mark();
            for (long d : stride) {
                p.integer(d);
            }
            p.tuple();
            p.newFalse();
            p.global("collections", "OrderedDict");
            p.emptyTuple();
            p.reduce();
            p.tuple();
            p.reduce();
        }
        p.setItems();
        p.stop();
        return p.bytes();
    }

    /** torch's storage class for a tensor of this source type (see the class doc). */
    static String storageClass(DType sourceType) {
        return switch (sourceType) {
            case INT64 -> "LongStorage";
            case INT8 -> "CharStorage";
            case UINT8 -> "ByteStorage";
            default -> "FloatStorage";
        };
    }

    private static ByteBuffer storageBytes(Tensor t) throws IOException {
        switch (t.sourceType()) {
            case INT64 -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream(t.numel() * 8);
                writeLongs(t, b);
                return ByteBuffer.wrap(b.toByteArray());
            }
            case INT8, UINT8 -> {
                // the reader checked that these are integers of the type: the cast keeps them
                byte[] b = new byte[t.numel()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) Math.round(t.getDouble(i));
                }
                return ByteBuffer.wrap(b);
            }
            default -> {
                return t.toLittleEndianBytes();
            }
        }
    }

    /** The tensor's values rounded to int64, little-endian. */
    static void writeLongs(Tensor t, OutputStream out) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(t.numel() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < t.numel(); i++) {
            b.putLong(Math.round((double) t.get(i)));
        }
        out.write(b.array());
    }

    /** Writes the buffer's remaining bytes without moving its position. */
    static void writeBuffer(ByteBuffer buffer, OutputStream out) throws IOException {
        ByteBuffer b = buffer.duplicate();
        if (b.hasArray()) {
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            return;
        }
        byte[] chunk = new byte[Math.min(b.remaining(), 1 << 16)];
        while (b.hasRemaining()) {
            int n = Math.min(chunk.length, b.remaining());
            b.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** The few pickle opcodes a state_dict needs (protocol 2). */
    static final class Pickler {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void proto2() {
            out.write(0x80);
            out.write(2);
        }

        void global(String module, String name) {
            out.write('c');
            byte[] text = (module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII);
            out.write(text, 0, text.length);
        }

        void emptyTuple() {
            out.write(')');
        }

        void mark() {
            out.write('(');
        }

        void tuple() {
            out.write('t');
        }

        void reduce() {
            out.write('R');
        }

        void binpersid() {
            out.write('Q');
        }

        void newFalse() {
            out.write(0x89);
        }

        void setItems() {
            out.write('u');
        }

        void stop() {
            out.write('.');
        }

        void unicode(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            int32(utf8.length);
            out.write(utf8, 0, utf8.length);
        }

        void integer(long v) {
            if (v >= 0 && v < 0x100) {
                out.write('K');
                out.write((int) v);
            } else if (v >= 0 && v < 0x10000) {
                out.write('M');
                out.write((int) (v & 0xff));
                out.write((int) (v >>> 8));
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                out.write('J');
                int32((int) v);
            } else {
                out.write(0x8a); // LONG1: little-endian two's complement
                out.write(8);
                for (int i = 0; i < 8; i++) {
                    out.write((int) (v >>> (8 * i)) & 0xff);
                }
            }
        }

        private void int32(int v) {
            for (int i = 0; i < 4; i++) {
                out.write((v >>> (8 * i)) & 0xff);
            }
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A minimal zip writer: STORED entries, 64-byte aligned data, no ZIP64. */
    static final class ZipWriter {
        private static final long MAX_32 = 0xFFFFFFFFL;
        private static final int DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;

        private record Entry(byte[] name, long crc, long size, long offset) {}

        private final CountingStream out;
        private final List<Entry> entries = new ArrayList<>();

        ZipWriter(OutputStream raw) {
            this.out = new CountingStream(raw);
        }

        void entry(String name, ByteBuffer data) throws IOException {
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(data.duplicate());
            long size = data.remaining();
            long offset = out.count;
            // torch's getPadding: the data start after header, name and a 4-byte extra-field header
            long start = offset + 30 + nameBytes.length + 4;
            int padding = (int) ((ALIGNMENT - start % ALIGNMENT) % ALIGNMENT);
            if (offset + 30 + nameBytes.length + 4 + padding + size > MAX_32 || entries.size() >= 0xFFFF) {
                throw new UnsupportedModelException("cannot write " + name + ": the .pth would exceed 4 GiB or"
                        + " 65535 entries, which needs ZIP64 (not supported by this writer)");
            }
            ByteBuffer h =
                    ByteBuffer.allocate(30 + nameBytes.length + 4 + padding).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0x04034b50)
                    .putShort((short) 20)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) DOS_DATE_1980_01_01)
                    .putInt((int) crc.getValue())
                    .putInt((int) size)
                    .putInt((int) size)
                    .putShort((short) nameBytes.length)
                    .putShort((short) (4 + padding))
                    .put(nameBytes)
                    .put((byte) 'F')
                    .put((byte) 'B')
                    .putShort((short) padding);
            for (int i = 0; i < padding; i++) {
                h.put((byte) 'Z');
            }
            out.write(h.array());
            if (out.count % ALIGNMENT != 0) {
                throw new IllegalStateException("misaligned record " + name);
            }
            writeBuffer(data, out);
            entries.add(new Entry(nameBytes, crc.getValue(), size, offset));
        }

        void finish() throws IOException {
            long cdStart = out.count;
            for (Entry e : entries) {
                ByteBuffer c = ByteBuffer.allocate(46 + e.name.length).order(ByteOrder.LITTLE_ENDIAN);
                c.putInt(0x02014b50)
                        .putShort((short) 20)
                        .putShort((short) 20)
                        .putShort((short) 0)
                        .putShort((short) 0)
                        .putShort((short) 0)
                        .putShort((short) DOS_DATE_1980_01_01)
                        .putInt((int) e.crc)
                        .putInt((int) e.size)
                        .putInt((int) e.size)
                        .putShort((short) e.name.length)
                        .putShort((short) 0)
                        .putShort((short) 0)
                        .putShort((short) 0)
                        .putShort((short) 0)
                        .putInt(0)
                        .putInt((int) e.offset)
                        .put(e.name);
                out.write(c.array());
            }
            long cdSize = out.count - cdStart;
            if (out.count > MAX_32) {
                throw new UnsupportedModelException(
                        "the .pth would exceed 4 GiB, which needs ZIP64 (not supported by" + " this writer)");
            }
            ByteBuffer end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
            end.putInt(0x06054b50)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) entries.size())
                    .putShort((short) entries.size())
                    .putInt((int) cdSize)
                    .putInt((int) cdStart)
                    .putShort((short) 0);
            out.write(end.array());
            out.flush();
        }
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
