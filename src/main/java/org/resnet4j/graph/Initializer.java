package org.resnet4j.graph;

import java.util.function.Function;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * An initializer of the built graph and how to compute it from the (already checked) weights:
 * usually a plain lookup of the torchvision key, or a BatchNorm fold of several keys.
 */
record Initializer(String name, Function<StateDict, Tensor> recipe) {}
