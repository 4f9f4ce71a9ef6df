package org.resnet4j.arrays;

import java.util.Arrays;

/** Small helpers for shapes held as {@code int[]}. */
public final class Shapes {
    private Shapes() {}

    /** Number of elements; throws if the product overflows a Java array index. */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    /** The shape as PyTorch prints it: {@code [64, 3, 7, 7]}. */
    public static String format(int[] shape) {
        return Arrays.toString(shape);
    }

    public static long[] toLong(int[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = shape[i];
        }
        return out;
    }
}
