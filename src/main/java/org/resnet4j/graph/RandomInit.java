package org.resnet4j.graph;

import java.util.Map;
import java.util.SplittableRandom;
import org.resnet4j.arrays.Shapes;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * Seeded random weights for a graph (He-normal convolutions, non-trivial BatchNorm statistics), for
 * benchmarks that need a model of the right shape but no checkpoint. Not a training initialiser.
 */
public final class RandomInit {
    private RandomInit() {}

    public static StateDict weights(ResNetGraph graph, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StateDict sd = new StateDict();
        for (Map.Entry<String, int[]> e : graph.parameters().entrySet()) {
            String k = e.getKey();
            int[] shape = e.getValue();
            float[] data = new float[Shapes.numel(shape)];
            double fanIn = 1;
            for (int i = 1; i < shape.length; i++) {
                fanIn *= shape[i];
            }
            double std = Math.sqrt(2.0 / fanIn);
            for (int i = 0; i < data.length; i++) {
                if (k.endsWith("running_var")) {
                    data[i] = (float) (0.5 + rnd.nextDouble());
                } else if (k.endsWith("running_mean") || k.endsWith(".bias")) {
                    data[i] = (float) (0.1 * gaussian(rnd));
                } else if (shape.length == 1) {
                    data[i] = (float) (0.5 + 0.5 * rnd.nextDouble());
                } else {
                    data[i] = (float) (std * gaussian(rnd));
                }
            }
            sd.put(k, Tensor.of(shape, data));
        }
        return sd;
    }

    /** A seeded standard-normal tensor. */
    public static Tensor normal(long seed, int... shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] data = new float[Shapes.numel(shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) gaussian(rnd);
        }
        return Tensor.of(shape, data);
    }

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
