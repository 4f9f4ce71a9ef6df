package org.resnet4j.engine;

import java.util.Locale;

/**
 * How to run a model.
 *
 * @param device        cpu or cuda
 * @param threads       intra-op threads; 0 = the engine's default (all cores)
 * @param optimization  ONNX Runtime graph optimisation level: none, basic, extended, all
 * @param ortGuard      keep ONNX Runtime's optimiser from the rewrites known to change results
 *                      ({@link OrtGuard}); true unless a parity check wants plain ORT
 */
public record EngineOptions(Device device, int threads, String optimization, boolean ortGuard) {

    /** Where the model runs. */
    public enum Device {
        CPU,
        CUDA;

        public static Device parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown device '" + s + "', expected one of cpu, cuda");
            }
        }
    }

    public EngineOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads is " + threads + ", expected 0 (all cores) or more");
        }
    }

    /** Options with the ORT guard on. */
    public EngineOptions(Device device, int threads, String optimization) {
        this(device, threads, optimization, true);
    }

    /** The same options with the ORT guard on or off. */
    public EngineOptions withOrtGuard(boolean on) {
        return new EngineOptions(device, threads, optimization, on);
    }

    public static EngineOptions defaults() {
        return new EngineOptions(Device.CPU, 0, "all");
    }
}
