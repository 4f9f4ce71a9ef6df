package org.resnet4j.engine;

import java.nio.file.Path;
import java.time.Duration;
import org.resnet4j.Device;

/**
 * How to run a model.
 *
 * @param device        cpu or cuda
 * @param threads       intra-op threads; 0 = the engine's default (all cores)
 * @param optimization  ONNX Runtime graph optimisation level: none, basic, extended, all
 * @param ortGuard      keep ONNX Runtime's optimiser from the rewrites known to change results
 *                      ({@link OrtGuard}); true unless a parity check wants plain ORT
 * @param timeout       how long one run may take before the engine stops it ({@link RunWatch}); null for no limit
 * @param sessionCache  the folder where ONNX Runtime's optimised models are kept between processes
 *                      ({@link OrtSessionCache}); null for none
 */
public record EngineOptions(
        Device device, int threads, String optimization, boolean ortGuard, Duration timeout, Path sessionCache) {

    public EngineOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads is " + threads + ", expected 0 (all cores) or more");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout is " + timeout + ", expected a positive duration");
        }
    }

    /** Options with no timeout and no session cache. */
    public EngineOptions(Device device, int threads, String optimization, boolean ortGuard) {
        this(device, threads, optimization, ortGuard, null, null);
    }

    /** Options with the ORT guard on. */
    public EngineOptions(Device device, int threads, String optimization) {
        this(device, threads, optimization, true);
    }

    /** The same options with the ORT guard on or off. */
    public EngineOptions withOrtGuard(boolean on) {
        return new EngineOptions(device, threads, optimization, on, timeout, sessionCache);
    }

    /** The same options with a timeout per run (null: none). */
    public EngineOptions withTimeout(Duration t) {
        return new EngineOptions(device, threads, optimization, ortGuard, t, sessionCache);
    }

    /** The same options keeping ONNX Runtime's optimised models in {@code dir} (null: no cache). */
    public EngineOptions withSessionCache(Path dir) {
        return new EngineOptions(device, threads, optimization, ortGuard, timeout, dir);
    }

    /** The default folder of {@link #withSessionCache}: {@code ~/.cache/resnet4j/ort-sessions}. */
    public static Path defaultSessionCache() {
        return OrtSessionCache.defaultDir();
    }

    public static EngineOptions defaults() {
        return new EngineOptions(Device.CPU, 0, "all");
    }
}
