package org.resnet4j.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.files.AtomicOutput;
import org.resnet4j.files.InputFiles;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;

/**
 * NumPy's {@code .npy} format (versions 1–3). Reads arrays in C order (either byte order) of the
 * {@linkplain DType#isTensorType() tensor types} (float32, float16, int64, int32, int8, uint8, bool) into a
 * {@link Tensor} of the same type, and float64 (NumPy's default) narrowed to float32; writes any
 * tensor type little-endian, version 1.0. The header is checked against the bytes that follow before
 * anything is allocated.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private Npy() {}

    public static Tensor read(Path file) {
        try (FileChannel ch = InputFiles.open(file, "input file")) { // a FIFO is refused before it is opened
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 12)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, head, 0);
            head.flip();
            if (head.remaining() < 10 || !startsWithMagic(head)) {
                throw new FormatException(file + ": not a .npy file (expected the magic \\x93NUMPY)");
            }
            int major = head.get(6) & 0xff;
            long headerLen;
            int prefix;
            if (major == 1) {
                headerLen = head.getShort(8) & 0xffff;
                prefix = 10;
            } else if (major == 2 || major == 3) {
                if (head.remaining() < 12) {
                    throw new FormatException(file + ": truncated .npy header");
                }
                headerLen = head.getInt(8) & 0xffffffffL;
                prefix = 12;
            } else {
                throw new FormatException(file + ": .npy version " + major + " is not supported, expected 1, 2 or 3");
            }
            // largest header we accept; NumPy itself refuses headers over 10 kB unless told otherwise
            long maxHeader = Math.min(org.resnet4j.ReaderLimits.current().npyMaxHeader(), Integer.MAX_VALUE - 8);
            if (prefix + headerLen > size) {
                throw new FormatException(
                        file + ": .npy header length " + headerLen + " exceeds the file (" + size + " bytes)");
            }
            if (headerLen > maxHeader) {
                throw new org.resnet4j.ResNet4jException.UnsafeContentException(file + ": .npy header length "
                        + headerLen + " exceeds the limit of " + maxHeader + " bytes ("
                        + org.resnet4j.ReaderLimits.hint("npy.maxHeader") + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, prefix);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Header h = parseHeader(file, header);
            long dataStart = prefix + headerLen;
            long expected = (long) h.numel * h.itemSize;
            if (size - dataStart != expected) {
                throw new FormatException(file + ": header says shape " + Shapes.format(h.shape) + " of " + h.descr
                        + " (" + expected + " bytes), but the file holds " + (size - dataStart) + " bytes of data");
            }
            if (expected > Integer.MAX_VALUE) {
                throw new UnsupportedModelException(
                        file + ": .npy data of " + expected + " bytes; arrays over 2 GiB are not supported");
            }
            ByteBuffer data =
                    ch.map(FileChannel.MapMode.READ_ONLY, dataStart, expected).order(h.order);
            return decode(data, h);
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
    }

    private static boolean startsWithMagic(ByteBuffer b) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private record Header(String descr, ByteOrder order, DType dtype, int itemSize, int[] shape, int numel) {}

    private static final String SUPPORTED = "<f4, <f2, <f8, <i8, <i4, |i1, |u1, |b1 (or big-endian >f4, >f2, ...)";

    private static Header parseHeader(Path file, String header) {
        // NumPy reads the header as the Python dict literal it is (ast.literal_eval), then requires
        // exactly these three keys; so does this, with the same grammar (PyLiteral)
        Map<String, Object> d;
        try {
            d = PyLiteral.dict(header);
        } catch (PyLiteral.SyntaxError e) {
            throw new FormatException(
                    file + ": malformed .npy header (" + e.getMessage() + "): " + abbreviate(header.trim()));
        }
        List<String> keys = new ArrayList<>(d.keySet());
        keys.sort(null);
        if (!keys.equals(List.of("descr", "fortran_order", "shape"))) {
            throw new FormatException(
                    file + ": .npy header has keys " + keys + ", expected exactly descr, fortran_order and shape");
        }
        if (!(d.get("descr") instanceof String descr)) {
            throw new UnsupportedModelException(file + ": .npy descr " + d.get("descr")
                    + " is not a dtype string (structured arrays are not supported), expected one of " + SUPPORTED);
        }
        if (!(d.get("fortran_order") instanceof Boolean fortran)) {
            throw new FormatException(
                    file + ": .npy fortran_order is " + d.get("fortran_order") + ", expected True or False");
        }
        if (!(d.get("shape") instanceof List<?> shapeItems)) {
            throw new FormatException(file + ": .npy shape is " + d.get("shape") + ", expected a tuple of ints");
        }
        if (fortran) {
            throw new UnsupportedModelException(
                    file + ": Fortran-order arrays are not supported; save with " + "np.ascontiguousarray(x) first");
        }
        DType dtype = descr.length() == 3 && "<>|=".indexOf(descr.charAt(0)) >= 0
                ? DType.fromNpyKind(descr.substring(1))
                : null;
        if (dtype == null || !(dtype.isTensorType() || dtype == DType.FLOAT64)) {
            throw new UnsupportedModelException(
                    file + ": dtype '" + descr + "' is not supported, expected one of " + SUPPORTED);
        }
        int itemSize = dtype.byteSize();
        ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        List<Integer> dims = new ArrayList<>();
        for (Object item : shapeItems) {
            if (!(item instanceof Long v)) {
                throw new FormatException(file + ": .npy shape " + shapeItems + " is not a tuple of ints");
            }
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new FormatException(file + ": .npy shape has dimension " + v);
            }
            dims.add(v.intValue());
        }
        int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
        int numel;
        try {
            numel = Shapes.numel(shape);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file + ": .npy shape " + Shapes.format(shape) + " is too large");
        }
        return new Header(descr, order, dtype, itemSize, shape, numel);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** The tensor over {@code data}: float64 narrowed to float32, the rest copied to little-endian bytes. */
    private static Tensor decode(ByteBuffer data, Header h) {
        if (h.dtype == DType.FLOAT64) {
            float[] out = new float[h.numel];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) data.getDouble(i * 8);
            }
            return Tensor.of(h.shape, out, DType.FLOAT64);
        }
        ByteBuffer le = ByteBuffer.allocate(h.numel * h.itemSize).order(ByteOrder.LITTLE_ENDIAN);
        if (h.dtype == DType.BOOL) {
            // a bool byte other than 0 or 1 is True, as NumPy reads it: stored as 1, so that every engine
            // sees the same value (ONNX Runtime cast a raw 128 to 128.0, the Java engine to 1.0)
            for (int i = 0; i < h.numel; i++) {
                le.put(data.get(i) != 0 ? (byte) 1 : 0);
            }
        } else if (data.order() == ByteOrder.LITTLE_ENDIAN || h.itemSize == 1) {
            le.put(data.duplicate());
        } else {
            for (int i = 0; i < h.numel; i++) {
                switch (h.itemSize) {
                    case 2 -> le.putShort(data.getShort(i * 2));
                    case 4 -> le.putInt(data.getInt(i * 4));
                    default -> le.putLong(data.getLong(i * 8));
                }
            }
        }
        le.flip();
        return Tensor.overLittleEndian(h.dtype, h.shape, le);
    }

    /** NumPy's dtype string for an element type: {@code <f4}, {@code <i8}, {@code |b1}. */
    static String descr(DType dtype) {
        return (dtype.byteSize() == 1 ? "|" : "<") + dtype.npyKind();
    }

    /** Writes {@code t} as little-endian .npy of its own element type, atomically. */
    public static void write(Tensor t, Path file) throws IOException {
        AtomicOutput.write(file, out -> write(t, out));
    }

    public static void write(Tensor t, OutputStream out) throws IOException {
        String dims = java.util.Arrays.stream(t.shape())
                .mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(", "));
        String shape = "(" + dims + (t.rank() == 1 ? ",)" : ")");
        String dict = "{'descr': '" + descr(t.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        out.write(MAGIC);
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write((header.length() >> 8) & 0xff);
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer bytes = t.toLittleEndianBytes();
        byte[] chunk = new byte[1 << 16];
        while (bytes.hasRemaining()) {
            int n = Math.min(chunk.length, bytes.remaining());
            bytes.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
