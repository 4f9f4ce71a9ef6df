package org.resnet4j.engine.jvm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Row loops on the Vector API, reached only through {@link Rows} when the module is present. */
final class VectorRows {
    private static final VectorSpecies<Float> S = VectorWidth.FLOATS;

    private VectorRows() {}

    // acc (n), x (n) at xOff -> acc = max(acc, x); lanewise MAX is Math.max: NaN wins
    static void max(float[] acc, float[] x, int xOff, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, acc, i)
                    .lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, xOff + i))
                    .intoArray(acc, i);
        }
        for (; i < n; i++) {
            acc[i] = Rows.max(acc[i], x[xOff + i]);
        }
    }
}
