package org.resnet4j.engine.jvm;

import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.spec.Presets;
import org.resnet4j.tensor.Tensor;

/**
 * By-hand timing (not a test): {@code java -cp ... TimingProbe resnet50 2 1 5} prints ms per run
 * of the Java engine on random weights. The real benchmark is issue 5's bench command.
 */
public final class TimingProbe {
    private TimingProbe() {}

    public static void main(String[] args) {
        String arch = args.length > 0 ? args[0] : "resnet18";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int iters = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        ResNetGraph g = GraphBuilder.build(Presets.get(arch), false);
        ModelProto m = ModelAssembler.assemble(g, RandomInit.weights(g, 1), 17, arch);
        Tensor x = RandomInit.normal(2, batch, 3, 224, 224);
        try (JavaEngine e = new JavaEngine(m, threads)) {
            // CPU time as well as wall time: on a shared machine the wall time says more about the neighbours
            var os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            for (int i = 0; i < iters + 2; i++) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                e.run(x);
                long wall = System.nanoTime() - t0;
                long cpu = os.getProcessCpuTime() - c0;
                System.out.printf(
                        "%s batch %d threads %d: %.1f ms wall, %.1f ms cpu%s%n",
                        arch, batch, threads, wall / 1e6, cpu / 1e6, i < 2 ? " (warm-up)" : "");
            }
        }
    }
}
