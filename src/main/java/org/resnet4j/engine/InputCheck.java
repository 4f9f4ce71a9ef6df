package org.resnet4j.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.tensor.TensorSpec;

/**
 * The one check every engine runs on the tensors a caller passes to {@link Engine#run}: the names
 * are exactly the model's inputs, and each tensor has its input's element type, rank and fixed
 * dimensions. A failure is one {@link MismatchException} that lists every problem and then the
 * model's inputs with their types and shapes, so a caller can correct the call from the message
 * alone. Stateless and thread-safe.
 */
public final class InputCheck {
    private InputCheck() {}

    /** Throws {@link MismatchException} unless {@code given} matches {@code declared} (see the class doc). */
    public static void check(List<TensorSpec> declared, Map<String, Tensor> given) {
        List<String> problems = new ArrayList<>();
        TreeSet<String> unexpected = new TreeSet<>(given.keySet());
        for (TensorSpec spec : declared) {
            unexpected.remove(spec.name());
            Tensor t = given.get(spec.name());
            if (t == null) {
                problems.add("input '" + spec.name() + "' is missing");
                continue;
            }
            if (t.dtype() != spec.dtype()) {
                problems.add("input '" + spec.name() + "' is " + t.dtype() + ", expected " + spec.typeName());
            }
            if (!fits(spec.shape(), t.shape())) {
                problems.add("input '" + spec.name() + "' has shape " + Shapes.format(t.shape()) + ", expected "
                        + TensorSpec.formatShape(spec.shape()));
            }
        }
        for (String name : unexpected) {
            problems.add("input '" + name + "' is not an input of the model");
        }
        if (!problems.isEmpty()) {
            throw new MismatchException(
                    String.join("; ", problems) + " (model inputs: " + TensorSpec.describe(declared) + ")");
        }
    }

    /** The one input of a single-input model; a model with several inputs is refused listing them. */
    public static TensorSpec single(List<TensorSpec> declared) {
        if (declared.size() != 1) {
            throw new MismatchException("the model has " + declared.size()
                    + " inputs, pass each by name (model inputs: " + TensorSpec.describe(declared) + ")");
        }
        return declared.get(0);
    }

    private static boolean fits(long[] declared, int[] actual) {
        if (declared == null) {
            return true;
        }
        if (declared.length != actual.length) {
            return false;
        }
        for (int i = 0; i < declared.length; i++) {
            if (declared[i] >= 0 && declared[i] != actual[i]) {
                return false;
            }
        }
        return true;
    }
}
