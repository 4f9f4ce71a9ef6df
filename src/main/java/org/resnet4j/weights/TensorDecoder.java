package org.resnet4j.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.arrays.HalfFloat;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.Tensor;

/**
 * Turns a storage's little-endian bytes and a view (offset, sizes, strides) into a float32
 * {@link Tensor} in C order. A contiguous float32 view becomes a zero-copy slice of the storage
 * bytes; anything else (strides, other dtypes) is gathered and widened into a heap array, charged
 * against a budget so that a hostile file cannot make us allocate more than its size justifies.
 */
final class TensorDecoder {
    static final String SUPPORTED = "[float32, float16, bfloat16, float64, int64, int8, uint8]";

    private final String file;
    private long budgetBytes;

    /** @param budgetBytes how many bytes of float copies all tensors together may allocate */
    TensorDecoder(String file, long budgetBytes) {
        this.file = file;
        this.budgetBytes = budgetBytes;
    }

    /** A copy budget for a file of {@code fileSize} bytes: widening fp16 doubles, with headroom for views. */
    static long budgetFor(long fileSize) {
        long factor = org.resnet4j.ReaderLimits.current().copyBudgetFactor();
        return fileSize > (Long.MAX_VALUE >> 1) / factor ? Long.MAX_VALUE >> 1 : factor * fileSize + (16L << 20);
    }

    /**
     * @param key     the tensor's state_dict key, for messages
     * @param dtype   element type of the storage
     * @param storage the whole storage, little-endian, position 0, exactly {@code storageNumel * size} bytes
     */
    Tensor decode(
            String key, DType dtype, ByteBuffer storage, long storageNumel, long offset, long[] size, long[] stride) {
        if (!isSupported(dtype)) {
            throw new UnsupportedModelException(
                    file + ": tensor '" + key + "' has dtype " + dtype + ", supported: " + SUPPORTED);
        }
        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(storageNumel, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new FormatException(
                    file + ": tensor '" + key + "': storage of " + storageNumel + " elements overflows");
        }
        if (storage.remaining() != expectedBytes) {
            throw new FormatException(file + ": tensor '" + key + "': storage holds " + storage.remaining()
                    + " bytes, expected " + storageNumel + " x " + dtype.byteSize() + " = " + expectedBytes + " bytes");
        }
        int[] shape = new int[size.length];
        long numel = 1;
        long maxIndex = offset;
        try {
            for (int i = 0; i < size.length; i++) {
                if (size[i] > Integer.MAX_VALUE) {
                    throw new UnsupportedModelException(
                            file + ": tensor '" + key + "' has dimension " + size[i] + " > 2^31-1");
                }
                shape[i] = (int) size[i];
                numel = Math.multiplyExact(numel, size[i]);
                if (size[i] > 0) {
                    maxIndex = Math.addExact(maxIndex, Math.multiplyExact(size[i] - 1, stride[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw new FormatException(file + ": tensor '" + key + "': size " + Arrays.toString(size) + " / stride "
                    + Arrays.toString(stride) + " overflows");
        }
        if (numel > Integer.MAX_VALUE - 8) {
            throw new UnsupportedModelException(
                    file + ": tensor '" + key + "' has " + numel + " elements, more than a Java array holds");
        }
        if (numel > 0 && maxIndex >= storageNumel) {
            throw new UnsafeContentException(file + ": tensor '" + key + "' view (offset " + offset + ", size "
                    + Arrays.toString(size) + ", stride " + Arrays.toString(stride) + ") reaches element " + maxIndex
                    + " of a storage of " + storageNumel + " elements");
        }
        ByteBuffer le = storage.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (numel == 0) {
            return Tensor.of(shape, new float[0], dtype);
        }
        if (dtype == DType.FLOAT32 && isContiguous(size, stride)) {
            le.position((int) (offset * 4)).limit((int) ((offset + numel) * 4));
            return Tensor.overLittleEndian(shape, le);
        }
        // A contiguous view reads each of its storage bytes once: only the widening beyond them is a
        // copy the file does not already pay for (3 bytes per int8, 2 per float16). Any other view may
        // overlap itself (stride 0), so all of it is charged.
        charge(key, isContiguous(size, stride) ? numel * (4 - Math.min(4, dtype.byteSize())) : numel * 4);
        float[] out = new float[(int) numel];
        gather(dtype, le, offset, size, stride, out);
        return Tensor.of(shape, out, dtype);
    }

    static boolean isSupported(DType dtype) {
        return dtype == DType.FLOAT32
                || dtype == DType.FLOAT16
                || dtype == DType.BFLOAT16
                || dtype == DType.FLOAT64
                || dtype == DType.INT64
                || dtype == DType.INT8 // quantized weights (qint8), exact as floats
                || dtype == DType.UINT8;
    }

    /** C-contiguous: each stride is the product of the later sizes (dimensions of size 1 may have any stride). */
    static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }

    private void charge(String key, long bytes) {
        if (bytes > budgetBytes) {
            throw new UnsafeContentException(file + ": tensor '" + key + "' needs " + bytes
                    + " bytes of copies, over the budget left for this file (" + budgetBytes
                    + " bytes); overlapping views expand it beyond its size ("
                    + org.resnet4j.ReaderLimits.hint("copy.budgetFactor") + ")");
        }
        budgetBytes -= bytes;
    }

    // storage (elements) viewed with offset/size/stride -> out (C order, numel)
    private static void gather(DType dtype, ByteBuffer le, long offset, long[] size, long[] stride, float[] out) {
        int rank = size.length;
        long[] idx = new long[rank];
        long src = offset;
        for (int n = 0; n < out.length; n++) {
            out[n] = read(dtype, le, (int) src);
            // odometer increment over the last dimension first
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < size[d]) {
                    src += stride[d];
                    break;
                }
                src -= (idx[d] - 1) * stride[d];
                idx[d] = 0;
            }
        }
    }

    private static float read(DType dtype, ByteBuffer le, int e) {
        return switch (dtype) {
            case FLOAT32 -> le.getFloat(e * 4);
            case FLOAT16 -> HalfFloat.toFloat(le.getShort(e * 2));
            case BFLOAT16 -> HalfFloat.bfloat16ToFloat(le.getShort(e * 2));
            case FLOAT64 -> (float) le.getDouble(e * 8);
            case INT64 -> (float) le.getLong(e * 8);
            case INT8 -> le.get(e);
            case UINT8 -> le.get(e) & 0xff;
            default -> throw new IllegalStateException("unsupported dtype " + dtype);
        };
    }
}
