package org.resnet4j.cli;

import org.resnet4j.Device;
import org.resnet4j.EngineType;
import org.resnet4j.ResNet4jException;
import org.resnet4j.engine.EngineOptions;
import picocli.CommandLine.Option;

/** The options that choose and tune the engine: shared by run and classify. */
final class EngineChoice {
    @Option(
            names = "--engine",
            defaultValue = "ort",
            paramLabel = "ort|java",
            description = "ort: ONNX Runtime (default); java: resnet4j's pure-Java engine (CPU only).")
    String engine;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            paramLabel = "cpu|cuda",
            description = "Where ONNX Runtime runs: cpu (default) or cuda (needs the -Pgpu build, CUDA 12, cuDNN 9).")
    String device;

    @Option(
            names = "--threads",
            defaultValue = "0",
            paramLabel = "T",
            description = "Intra-op threads (default 0: all cores).")
    int threads;

    @Option(
            names = "--no-session-cache",
            description = "Do not keep ONNX Runtime's optimised model in ~/.cache/resnet4j/ort-sessions for the next "
                    + "run of the same model (kept by default: the next session opens in a fraction of the time).")
    boolean noSessionCache;

    EngineType kind() {
        return kind("--engine", engine);
    }

    EngineOptions options() {
        Device d;
        try {
            d = Device.parse(device);
        } catch (IllegalArgumentException e) {
            throw new ResNet4jException("--device: " + e.getMessage());
        }
        try {
            EngineOptions o = new EngineOptions(d, threads, "all");
            return noSessionCache ? o : o.withSessionCache(EngineOptions.defaultSessionCache());
        } catch (IllegalArgumentException e) {
            throw new ResNet4jException("--threads: " + e.getMessage());
        }
    }

    /** An engine named by {@code flag}: the library's message with the flag in front. */
    static EngineType kind(String flag, String name) {
        try {
            return EngineType.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ResNet4jException(flag + ": " + e.getMessage());
        }
    }

    /** The engine, device and threads on a model builder. */
    org.resnet4j.ResNetModel.Builder configure(org.resnet4j.ResNetModel.Builder b) {
        EngineOptions o = options();
        b.engine(kind()).device(o.device()).threads(o.threads());
        return o.sessionCache() != null ? b.sessionCache(o.sessionCache()) : b.noSessionCache();
    }
}
