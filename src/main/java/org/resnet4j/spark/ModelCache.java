package org.resnet4j.spark;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.resnet4j.ResNet4j;
import org.resnet4j.ResNet4j.ExportOptions;
import org.resnet4j.engine.Engine;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.Engines;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.vision.Classifier;
import org.resnet4j.vision.Preprocessing;
import org.resnet4j.vision.Preset;
import org.resnet4j.weights.LoadedCheckpoint;

/**
 * One loaded model per {@link ModelSettings} per JVM: an executor's tasks share it instead of each
 * reading the weights and building an engine. Loading happens on first use (the weights read through
 * Hadoop, {@link HadoopFiles#local}); a failed load is not cached, so a retried task tries again.
 * Models live as long as the JVM (executors are short-lived processes). Thread-safe.
 */
public final class ModelCache {
    private static final ConcurrentHashMap<ModelSettings, LoadedModel> MODELS = new ConcurrentHashMap<>();

    private ModelCache() {}

    /** The model for {@code settings}, loaded by the first caller; the others wait for it. */
    public static LoadedModel get(ModelSettings settings, Configuration conf) {
        return MODELS.computeIfAbsent(settings, s -> load(s, conf));
    }

    /** How many models this JVM holds (for tests). */
    static int size() {
        return MODELS.size();
    }

    private static LoadedModel load(ModelSettings s, Configuration conf) {
        Path file = HadoopFiles.local(s.weights(), conf);
        LoadedCheckpoint ckpt = ResNet4j.loadWeights(file);
        ResNetSpec spec = s.spec() != null ? SpecJson.parse(s.spec(), "spec")
                : ResNet4j.resolveSpec(s.arch(), null, null, null, ckpt);
        ModelProto onnx = ResNet4j.buildModel(spec, ckpt, ExportOptions.defaults());
        Classifier.checkInputChannels(spec.inChannels(), s.weights());
        Engine engine = Engines.open(Engines.Kind.parse(s.engine()), onnx,
                new EngineOptions(EngineOptions.Device.CPU, s.threads(), "all"), s.weights());
        Preprocessing pre = Preprocessing.imagenet(Preset.parse(s.preset()));
        LoadedModel m = new LoadedModel(engine, pre, Classifier.labelsFor(spec.numClasses(), null));
        Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "resnet4j-model-close"));
        return m;
    }
}
