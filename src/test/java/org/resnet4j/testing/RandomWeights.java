package org.resnet4j.testing;

import java.util.Map;
import java.util.Random;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Shapes;
import org.resnet4j.tensor.Tensor;

/** Seeded random weights for a graph, with BatchNorm statistics that are not the defaults. */
public final class RandomWeights {
    private RandomWeights() {}

    public static StateDict forGraph(ResNetGraph graph, long seed) {
        Random rnd = new Random(seed);
        StateDict sd = new StateDict();
        for (Map.Entry<String, int[]> e : graph.parameters().entrySet()) {
            String k = e.getKey();
            int[] shape = e.getValue();
            float[] data = new float[Shapes.numel(shape)];
            double fanIn = shape.length == 4 ? shape[1] * shape[2] * shape[3] : shape.length == 2 ? shape[1] : 1;
            for (int i = 0; i < data.length; i++) {
                if (k.endsWith("running_var")) {
                    data[i] = 0.5f + 1.5f * rnd.nextFloat();
                } else if (k.endsWith("running_mean")) {
                    data[i] = (float) (0.1 * rnd.nextGaussian());
                } else if (k.startsWith("fc.") || k.endsWith("conv1.weight") || k.contains("conv") || k.contains("downsample.0")) {
                    data[i] = (float) (rnd.nextGaussian() * Math.sqrt(2.0 / fanIn));
                } else if (k.endsWith(".weight")) {
                    data[i] = 0.5f + rnd.nextFloat();
                } else {
                    data[i] = (float) (0.1 * rnd.nextGaussian());
                }
            }
            sd.put(k, Tensor.of(shape, data));
        }
        return sd;
    }

    public static Tensor input(long seed, int... shape) {
        Random rnd = new Random(seed);
        float[] data = new float[Shapes.numel(shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        return Tensor.of(shape, data);
    }
}
