package org.resnet4j.engine.jvm.ops;

import java.util.Arrays;
import org.resnet4j.arrays.HalfFloat;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.tensor.Tensor;

/**
 * A value inside the Java engine: a shape and either float data (FLOAT, FLOAT16) or long data (the
 * integer types and bool: the shape arithmetic of exported graphs), C order. Internal to the engine: the public API speaks
 * {@link org.resnet4j.tensor.Tensor}. Values are not written after the op producing them returns.
 */
public final class Value {
    private final ElemType type;
    private final int[] shape;
    private final float[] floats;
    private final long[] longs;

    private Value(ElemType type, int[] shape, float[] floats, long[] longs) {
        this.type = type;
        this.shape = shape;
        this.floats = floats;
        this.longs = longs;
        int n = Shapes.numel(shape);
        int len = floats != null ? floats.length : longs.length;
        assert len == n : "shape " + Arrays.toString(shape) + " needs " + n + " elements, data has " + len;
    }

    public static Value floats(int[] shape, float[] data) {
        return new Value(ElemType.FLOAT, shape.clone(), data, null);
    }

    public static Value longs(int[] shape, long[] data) {
        return new Value(ElemType.INT64, shape.clone(), null, data);
    }

    /** A value of {@code type} over {@code floats} (float types) or {@code longs} (the others). */
    public static Value of(ElemType type, int[] shape, float[] floats, long[] longs) {
        if (type.isFloat() != (floats != null) || (floats == null) == (longs == null)) {
            throw new IllegalArgumentException(type + " needs " + (type.isFloat() ? "float" : "long") + " data");
        }
        return new Value(type, shape.clone(), floats, longs);
    }

    /** The same data seen as another type of the same storage (float16 rounded by the caller). */
    public Value as(ElemType t) {
        return of(t, shape, floats, longs);
    }

    public boolean isFloat() {
        return floats != null;
    }

    public ElemType type() {
        return type;
    }

    /** The shape; callers must not modify it. */
    public int[] shape() {
        return shape;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int numel() {
        return floats != null ? floats.length : longs.length;
    }

    /** The float data (not copied); only for FLOAT and FLOAT16 values. */
    public float[] f() {
        if (floats == null) {
            throw new IllegalStateException("value of type " + type + " has no float data");
        }
        return floats;
    }

    /** The integer data (not copied); only for the integer types and bool. */
    public long[] l() {
        if (longs == null) {
            throw new IllegalStateException("value of type " + type + " has no int64 data");
        }
        return longs;
    }

    /** The same data under another shape with as many elements. */
    public Value reshaped(int[] newShape) {
        return new Value(type, newShape.clone(), floats, longs);
    }

    /** A tensor's elements as a value (float16 widened to floats, integers and bool as longs); copies. */
    public static Value of(Tensor t) {
        ElemType type = ElemType.of(t.dtype());
        if (type == null) {
            throw new IllegalArgumentException("no engine type for " + t.dtype());
        }
        return type.isFloat() ? of(type, t.shape(), t.toArray(), null) : of(type, t.shape(), null, t.toLongArray());
    }

    /** This value as a tensor of its type; copies. */
    public Tensor toTensor() {
        int n = numel();
        return switch (type) {
            case FLOAT -> Tensor.of(shape, floats.clone());
            case FLOAT16 -> {
                short[] bits = new short[n];
                for (int i = 0; i < n; i++) {
                    bits[i] = HalfFloat.fromFloat(floats[i]);
                }
                yield Tensor.ofFloat16Bits(shape, bits);
            }
            case INT64 -> Tensor.ofLongs(shape, longs.clone());
            case INT32 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (int) longs[i];
                }
                yield Tensor.ofInts(shape, v);
            }
            case INT8, UINT8 -> {
                byte[] v = new byte[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (byte) longs[i];
                }
                yield type == ElemType.INT8 ? Tensor.ofInt8(shape, v) : Tensor.ofUint8(shape, v);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = longs[i] != 0;
                }
                yield Tensor.ofBools(shape, v);
            }
        };
    }

    @Override
    public String toString() {
        return type + Shapes.format(shape);
    }
}
