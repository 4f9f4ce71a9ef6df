package org.resnet4j.spark;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.resnet4j.Architecture;
import org.resnet4j.ResNetModel;
import org.resnet4j.spec.SpecJson;

/**
 * One {@link ResNetModel} per {@link ModelSettings} per JVM: an executor's tasks share it (the
 * model is thread-safe) instead of each reading the weights and opening an engine. The first task
 * that asks loads it, reading the weights through Hadoop ({@link HadoopFiles#local}); the others
 * wait. A failed load is not cached, so a retried task tries again. Models live as long as the JVM,
 * and are closed when it exits, after the inferences still in flight on task threads (an executor
 * being shut down: {@link org.resnet4j.engine.RunGate}). Thread-safe.
 */
final class ModelCache {
    private static final ConcurrentHashMap<ModelSettings, ResNetModel> MODELS = new ConcurrentHashMap<>();

    private ModelCache() {}

    /**
     * The model for {@code settings}, loaded by the first caller.
     *
     * @throws org.resnet4j.ResNet4jException when the weights are missing, unreadable or do not fit
     *                                        the architecture (the message names the path)
     */
    public static ResNetModel get(ModelSettings settings, Configuration conf) {
        return MODELS.computeIfAbsent(settings, s -> load(s, conf));
    }

    private static ResNetModel load(ModelSettings s, Configuration conf) {
        Architecture architecture = s.arch() != null
                ? Architecture.preset(s.arch())
                : s.spec() != null
                        ? Architecture.spec(SpecJson.parse(s.spec(), "the spec param"))
                        : Architecture.inferred();
        ResNetModel model = ResNetModel.builder()
                .weights(HadoopFiles.local(s.weights(), conf))
                .architecture(architecture)
                .preprocessing(s.preset())
                .engine(s.engine())
                .threads(s.threads())
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(model::close, "resnet4j-model-close"));
        return model;
    }
}
