package org.resnet4j.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.resnet4j.arrays.HalfFloat;
import org.resnet4j.arrays.Shapes;

/**
 * A dense tensor in C (row-major) order: a shape, an element type ({@link #dtype()}) and {@code
 * numel} elements. The element types are those ResNet graphs use: float32, float16, int64, int32,
 * int8 (quantized weights), uint8 and bool ({@link DType#isTensorType()}).
 *
 * <p>float32 is the common case and keeps a float API ({@link #of(int[], float[])}, {@link
 * #get(int)}, {@link #toArray()}, {@link #buffer()}); the float API also reads float16 tensors,
 * widened exactly. The other types have typed factories ({@link #ofLongs}, {@link #ofInts}, {@link
 * #ofInt8}, {@link #ofUint8}, {@link #ofBools}, {@link #ofFloat16Bits}) and accessors ({@link #getLong}, {@link
 * #toLongArray()}, ...); {@link #getDouble(int)} reads any type; {@link #astype} converts with
 * ONNX {@code Cast}'s rules.
 *
 * <p>A float32 tensor's data lives either in a heap {@code float[]} or in a little-endian {@link
 * ByteBuffer} (for example a slice of a memory-mapped checkpoint), which lets an exporter stream a
 * checkpoint's bytes into an ONNX file without copying them onto the heap; the other types always
 * live in little-endian bytes. Tensors are immutable by contract: nobody writes into a tensor's
 * buffer after it was created, so they are safe to share between threads.
 *
 * <p>{@link #sourceType()} records the element type the tensor had in its file, which may differ
 * from {@link #dtype()}: checkpoint readers widen float16 and bfloat16 weights to float32 on load
 * (and {@code num_batches_tracked} from int64), but {@code inspect} and the writers still see the
 * file's type.
 */
public final class Tensor {
    private final int[] shape;
    private final DType dtype;
    /** The elements of a float32 tensor; null for other types. */
    private final FloatBuffer floats;
    /** Little-endian bytes of the elements: always for non-float32, for float32 when built over bytes. */
    private final ByteBuffer littleEndianBytes;

    private final DType sourceType;
    private final int numel;

    private Tensor(int[] shape, DType dtype, FloatBuffer floats, ByteBuffer littleEndianBytes, DType sourceType) {
        this.shape = shape.clone();
        this.dtype = dtype;
        this.floats = floats;
        this.littleEndianBytes = littleEndianBytes;
        this.sourceType = sourceType;
        this.numel = Shapes.numel(shape);
        if (dtype == DType.FLOAT32) {
            if (floats.remaining() != numel) {
                throw new IllegalArgumentException("shape " + Shapes.format(shape) + " needs " + numel
                        + " floats, buffer has " + floats.remaining());
            }
        } else if (littleEndianBytes.remaining() != (long) numel * dtype.byteSize()) {
            throw new IllegalArgumentException("shape " + Shapes.format(shape) + " of " + dtype + " needs "
                    + (long) numel * dtype.byteSize() + " bytes, buffer has " + littleEndianBytes.remaining());
        }
    }

    // ---- float32 factories (the common case) ----

    /** A float32 tensor over {@code data} (not copied: the caller hands it over). */
    public static Tensor of(int[] shape, float[] data) {
        return new Tensor(shape, DType.FLOAT32, FloatBuffer.wrap(data), null, DType.FLOAT32);
    }

    /** Same, recording that the file stored {@code sourceType} before widening to float32. */
    public static Tensor of(int[] shape, float[] data, DType sourceType) {
        return new Tensor(shape, DType.FLOAT32, FloatBuffer.wrap(data), null, sourceType);
    }

    /**
     * A float32 tensor over little-endian bytes (from position to limit), without copying. The
     * bytes must hold exactly {@code numel * 4} bytes.
     */
    public static Tensor overLittleEndian(int[] shape, ByteBuffer bytes) {
        return overLittleEndian(DType.FLOAT32, shape, bytes);
    }

    /** A float32 tensor of zeros. */
    public static Tensor zeros(int... shape) {
        return of(shape, new float[Shapes.numel(shape)]);
    }

    // ---- other element types ----

    /**
     * A tensor of {@code dtype} over little-endian bytes (from position to limit), without copying.
     * The bytes must hold exactly {@code numel * dtype.byteSize()} bytes; bool is one byte per
     * element, 0 false and anything else true.
     */
    public static Tensor overLittleEndian(DType dtype, int[] shape, ByteBuffer bytes) {
        requireTensorType(dtype);
        ByteBuffer le = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Tensor(shape, dtype, dtype == DType.FLOAT32 ? le.asFloatBuffer() : null, le, dtype);
    }

    /** An int64 tensor holding a copy of {@code data}. */
    public static Tensor ofLongs(int[] shape, long[] data) {
        ByteBuffer b = allocate(data.length, 8);
        b.asLongBuffer().put(data);
        return overLittleEndian(DType.INT64, shape, b);
    }

    /** An int32 tensor holding a copy of {@code data}. */
    public static Tensor ofInts(int[] shape, int[] data) {
        ByteBuffer b = allocate(data.length, 4);
        b.asIntBuffer().put(data);
        return overLittleEndian(DType.INT32, shape, b);
    }

    /** An int8 tensor holding a copy of {@code data} (each byte read as -128..127). */
    public static Tensor ofInt8(int[] shape, byte[] data) {
        return overLittleEndian(DType.INT8, shape, ByteBuffer.wrap(data.clone()));
    }

    /** A uint8 tensor holding a copy of {@code data} (each byte read as 0..255). */
    public static Tensor ofUint8(int[] shape, byte[] data) {
        return overLittleEndian(DType.UINT8, shape, ByteBuffer.wrap(data.clone()));
    }

    /** A bool tensor holding a copy of {@code data}. */
    public static Tensor ofBools(int[] shape, boolean[] data) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            b[i] = data[i] ? (byte) 1 : 0;
        }
        return overLittleEndian(DType.BOOL, shape, ByteBuffer.wrap(b));
    }

    /** A float16 tensor holding a copy of {@code bits} (IEEE binary16 bit patterns). */
    public static Tensor ofFloat16Bits(int[] shape, short[] bits) {
        ByteBuffer b = allocate(bits.length, 2);
        b.asShortBuffer().put(bits);
        return overLittleEndian(DType.FLOAT16, shape, b);
    }

    /** A tensor of zeros (false for bool) of any tensor type. */
    public static Tensor zeros(DType dtype, int... shape) {
        requireTensorType(dtype);
        if (dtype == DType.FLOAT32) {
            return zeros(shape);
        }
        return overLittleEndian(dtype, shape, ByteBuffer.allocate(Shapes.numel(shape) * dtype.byteSize()));
    }

    private static ByteBuffer allocate(int n, int itemSize) {
        return ByteBuffer.allocate(Math.multiplyExact(n, itemSize)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void requireTensorType(DType dtype) {
        if (!dtype.isTensorType()) {
            throw new IllegalArgumentException(
                    "element type " + dtype + " is not a tensor type, expected one of " + DType.tensorTypes());
        }
    }

    // ---- shape ----

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int numel() {
        return numel;
    }

    /** The element type in memory. */
    public DType dtype() {
        return dtype;
    }

    /** The element type the tensor had in its file (see the class doc); {@link #dtype()} unless widened. */
    public DType sourceType() {
        return sourceType;
    }

    /** The same data with another recorded source type. */
    public Tensor withSourceType(DType type) {
        return new Tensor(shape, dtype, floats, littleEndianBytes, type);
    }

    /** The same elements under another shape with the same element count. */
    public Tensor reshape(int... newShape) {
        return new Tensor(newShape, dtype, floats, littleEndianBytes, sourceType);
    }

    // ---- float API: float32, and float16 widened ----

    /** Element {@code i} in C order, of a float32 or float16 tensor. */
    public float get(int i) {
        if (dtype == DType.FLOAT32) {
            return floats.get(floats.position() + i);
        }
        requireFloat("get");
        return HalfFloat.toFloat(littleEndianBytes.getShort(littleEndianBytes.position() + i * 2));
    }

    /** A read-only view of the floats (float32), or a widened copy (float16). */
    public FloatBuffer buffer() {
        if (dtype == DType.FLOAT32) {
            return floats.asReadOnlyBuffer();
        }
        return FloatBuffer.wrap(toArray()).asReadOnlyBuffer();
    }

    /** A fresh copy of the floats, of a float32 or float16 (widened) tensor. */
    public float[] toArray() {
        float[] out = new float[numel];
        if (dtype == DType.FLOAT32) {
            floats.duplicate().get(out);
            return out;
        }
        requireFloat("toArray");
        for (int i = 0; i < numel; i++) {
            out[i] = get(i);
        }
        return out;
    }

    private void requireFloat(String method) {
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT16) {
            throw new IllegalStateException(method + "() reads float32 and float16 tensors, this one is " + dtype
                    + "; use getLong, toLongArray or getDouble, or astype(DType.FLOAT32)");
        }
    }

    // ---- typed API: any type ----

    /** Element {@code i} as a double, of any type (bool as 0 or 1); exact but for int64 beyond 2^53. */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32, FLOAT16 -> get(i);
            default -> getLong(i);
        };
    }

    /**
     * Element {@code i} as a long: exact for int64, int32, int8 (-128..127), uint8 (0..255) and bool
     * (0 or 1); float elements are truncated toward zero (NaN gives 0), as ONNX {@code Cast} does.
     */
    public long getLong(int i) {
        ByteBuffer b = littleEndianBytes;
        return switch (dtype) {
            case INT64 -> b.getLong(b.position() + i * 8);
            case INT32 -> b.getInt(b.position() + i * 4);
            case INT8 -> b.get(b.position() + i);
            case UINT8 -> b.get(b.position() + i) & 0xff;
            case BOOL -> b.get(b.position() + i) != 0 ? 1 : 0;
            case FLOAT32, FLOAT16 -> (long) get(i);
            default -> throw new AssertionError(dtype);
        };
    }

    /** Element {@code i} as a boolean: non-zero is true. */
    public boolean getBoolean(int i) {
        return dtype == DType.FLOAT32 || dtype == DType.FLOAT16 ? get(i) != 0 : getLong(i) != 0;
    }

    /** A fresh copy of the elements as longs ({@link #getLong} per element). */
    public long[] toLongArray() {
        long[] out = new long[numel];
        if (dtype == DType.INT64) {
            littleEndianBytes
                    .duplicate()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asLongBuffer()
                    .get(out);
            return out;
        }
        for (int i = 0; i < numel; i++) {
            out[i] = getLong(i);
        }
        return out;
    }

    /** A fresh copy of an int32 tensor's elements. */
    public int[] toIntArray() {
        if (dtype != DType.INT32) {
            throw new IllegalStateException("toIntArray() reads int32 tensors, this one is " + dtype
                    + "; use toLongArray or astype(DType.INT32)");
        }
        int[] out = new int[numel];
        littleEndianBytes
                .duplicate()
                .order(ByteOrder.LITTLE_ENDIAN)
                .asIntBuffer()
                .get(out);
        return out;
    }

    /** A fresh copy of the elements as booleans (non-zero is true). */
    public boolean[] toBooleanArray() {
        boolean[] out = new boolean[numel];
        for (int i = 0; i < numel; i++) {
            out[i] = getBoolean(i);
        }
        return out;
    }

    /** The elements as little-endian bytes: a read-only view when the tensor is byte-backed, else a copy. */
    public ByteBuffer toLittleEndianBytes() {
        if (littleEndianBytes != null) {
            return littleEndianBytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer out = ByteBuffer.allocate(numel * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(floats.duplicate());
        return out;
    }

    /**
     * This tensor converted to {@code target} with ONNX {@code Cast}'s rules: floats to integers
     * truncate toward zero, narrowing integers keep the low bits (as C's casts do), anything to bool
     * is "non-zero", bool to a number is 0 or 1, float32 to float16 rounds to nearest even. The same
     * tensor when it already has that type.
     */
    public Tensor astype(DType target) {
        requireTensorType(target);
        if (target == dtype) {
            return this;
        }
        int[] s = shape;
        switch (target) {
            case FLOAT32 -> {
                float[] out = new float[numel];
                for (int i = 0; i < numel; i++) {
                    out[i] = dtype == DType.INT64 ? (float) getLong(i) : (float) getDouble(i);
                }
                return of(s, out);
            }
            case FLOAT16 -> {
                short[] out = new short[numel];
                for (int i = 0; i < numel; i++) {
                    out[i] = HalfFloat.fromFloat(dtype == DType.INT64 ? (float) getLong(i) : (float) getDouble(i));
                }
                return ofFloat16Bits(s, out);
            }
            case INT64 -> {
                return ofLongs(s, toLongArray());
            }
            case INT32 -> {
                int[] out = new int[numel];
                for (int i = 0; i < numel; i++) {
                    out[i] = (int) getLong(i);
                }
                return ofInts(s, out);
            }
            case INT8, UINT8 -> {
                byte[] out = new byte[numel];
                for (int i = 0; i < numel; i++) {
                    out[i] = (byte) getLong(i);
                }
                return target == DType.INT8 ? ofInt8(s, out) : ofUint8(s, out);
            }
            case BOOL -> {
                return ofBools(s, toBooleanArray());
            }
            default -> throw new AssertionError(target);
        }
    }

    @Override
    public String toString() {
        return "Tensor" + Shapes.format(shape) + "(" + (sourceType == dtype ? dtype : dtype + " from " + sourceType)
                + ")";
    }

    /** Max |x| over all elements. */
    public double maxAbs() {
        double m = 0;
        for (int i = 0; i < numel(); i++) {
            m = Math.max(m, Math.abs(getDouble(i)));
        }
        return m;
    }
}
