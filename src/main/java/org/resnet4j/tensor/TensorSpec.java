package org.resnet4j.tensor;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a model declares for one of its inputs or outputs: name, element type and shape.
 *
 * @param name  the value's name in the graph
 * @param dtype its element type; null when it is one no {@link org.resnet4j.tensor.Tensor} can hold
 *              (then {@code typeName} says which)
 * @param typeName the element type as the model names it ({@code float32}, {@code string})
 * @param shape declared dimensions, -1 where symbolic; null when the model declares no shape
 */
public record TensorSpec(String name, DType dtype, String typeName, long[] shape) {

    public TensorSpec {
        shape = shape == null ? null : shape.clone();
    }

    /** A spec of a tensor type. */
    public static TensorSpec of(String name, DType dtype, long[] shape) {
        return new TensorSpec(name, dtype, dtype.label(), shape);
    }

    @Override
    public long[] shape() {
        return shape == null ? null : shape.clone();
    }

    /** {@code input float32 [?, 3, 224, 224]}. */
    @Override
    public String toString() {
        return name + " " + typeName + " " + formatShape(shape);
    }

    /** {@code [?, 3, 224, 224]}, {@code ?} for a symbolic dimension; "(any shape)" when undeclared. */
    public static String formatShape(long[] shape) {
        if (shape == null) {
            return "(any shape)";
        }
        return Arrays.stream(shape)
                .mapToObj(d -> d < 0 ? "?" : Long.toString(d))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    /** {@code x float32 [?, 3], mask bool [?]}: the list error messages show. */
    public static String describe(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::toString).collect(Collectors.joining(", "));
    }
}
