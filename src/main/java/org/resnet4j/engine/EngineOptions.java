package org.resnet4j.engine;

import java.util.Locale;

/**
 * How to run a model.
 *
 * @param device        cpu or cuda
 * @param threads       intra-op threads; 0 = the engine's default (all cores)
 * @param optimization  ONNX Runtime graph optimisation level: none, basic, extended, all
 */
public record EngineOptions(Device device, int threads, String optimization) {

    /** Where the model runs. */
    public enum Device {
        CPU, CUDA;

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

    public static EngineOptions defaults() {
        return new EngineOptions(Device.CPU, 0, "all");
    }
}
