package org.resnet4j.spark;

import java.util.List;
import org.resnet4j.engine.Engine;
import org.resnet4j.vision.Classifier;
import org.resnet4j.vision.Preprocessing;

/** TEMPORARY until ResNetModel lands. */
public record LoadedModel(Engine engine, Preprocessing preprocessing, List<String> labels) {
    Classifier classifier() {
        return new Classifier(engine, preprocessing, labels);
    }
}
