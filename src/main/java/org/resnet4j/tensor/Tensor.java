package org.resnet4j.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A dense float32 tensor in C (row-major) order: a shape and {@code numel} floats.
 *
 * <p>The floats live either in a heap {@code float[]} or in a little-endian {@link ByteBuffer}
 * (for example a slice of a memory-mapped checkpoint). The second form lets an exporter stream a
 * checkpoint's bytes into an ONNX file without copying them onto the heap. Tensors are immutable
 * by contract: nobody writes into a tensor's buffer after it was created.
 *
 * <p>{@link #sourceType()} records the element type the tensor had in its file (float16 weights
 * are widened to float32 on load, but {@code inspect} still reports float16).
 */
public final class Tensor {
    private final int[] shape;
    private final FloatBuffer data;
    /** Little-endian bytes of {@link #data}, when the tensor was built over bytes; else null. */
    private final ByteBuffer littleEndianBytes;
    private final DType sourceType;

    private Tensor(int[] shape, FloatBuffer data, ByteBuffer littleEndianBytes, DType sourceType) {
        this.shape = shape.clone();
        this.data = data;
        this.littleEndianBytes = littleEndianBytes;
        this.sourceType = sourceType;
        int n = Shapes.numel(shape);
        if (data.remaining() != n) {
            throw new IllegalArgumentException(
                    "shape " + Shapes.format(shape) + " needs " + n + " floats, buffer has " + data.remaining());
        }
    }

    /** A tensor over {@code data} (not copied: the caller hands it over). */
    public static Tensor of(int[] shape, float[] data) {
        return new Tensor(shape, FloatBuffer.wrap(data), null, DType.FLOAT32);
    }

    /** Same, recording that the file stored {@code sourceType} before widening to float32. */
    public static Tensor of(int[] shape, float[] data, DType sourceType) {
        return new Tensor(shape, FloatBuffer.wrap(data), null, sourceType);
    }

    /**
     * A float32 tensor over little-endian bytes (from position to limit), without copying. The
     * bytes must hold exactly {@code numel * 4} bytes.
     */
    public static Tensor overLittleEndian(int[] shape, ByteBuffer bytes) {
        ByteBuffer le = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Tensor(shape, le.asFloatBuffer(), le, DType.FLOAT32);
    }

    public static Tensor zeros(int... shape) {
        return of(shape, new float[Shapes.numel(shape)]);
    }

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
        return data.remaining();
    }

    public DType sourceType() {
        return sourceType;
    }

    /** The same data with another recorded source type. */
    public Tensor withSourceType(DType type) {
        return new Tensor(shape, data, littleEndianBytes, type);
    }

    /** Element {@code i} in C order. */
    public float get(int i) {
        return data.get(data.position() + i);
    }

    /** A read-only view of the floats. */
    public FloatBuffer buffer() {
        return data.asReadOnlyBuffer();
    }

    /** A fresh copy of the floats. */
    public float[] toArray() {
        float[] out = new float[numel()];
        data.duplicate().get(out);
        return out;
    }

    /** The floats as little-endian bytes: a view when the tensor is byte-backed, else a copy. */
    public ByteBuffer toLittleEndianBytes() {
        if (littleEndianBytes != null) {
            return littleEndianBytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer out = ByteBuffer.allocate(numel() * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(data.duplicate());
        return out;
    }

    /** The same floats under another shape with the same element count. */
    public Tensor reshape(int... newShape) {
        return new Tensor(newShape, data, littleEndianBytes, sourceType);
    }

    @Override
    public String toString() {
        return "Tensor" + Shapes.format(shape) + "(" + sourceType + ")";
    }

    /** Max |a - b| over all elements; shapes must be equal. */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape, b.shape)) {
            throw new IllegalArgumentException(
                    "shape mismatch: " + Shapes.format(a.shape) + " vs " + Shapes.format(b.shape));
        }
        double m = 0;
        for (int i = 0; i < a.numel(); i++) {
            m = Math.max(m, Math.abs((double) a.get(i) - b.get(i)));
        }
        return m;
    }

    /** Max |x| over all elements. */
    public double maxAbs() {
        double m = 0;
        for (int i = 0; i < numel(); i++) {
            m = Math.max(m, Math.abs(get(i)));
        }
        return m;
    }
}
