/**
 * The tensor type every layer and the public API share: {@link org.resnet4j.tensor.Tensor} (a dense
 * array with a shape and an element type), {@link org.resnet4j.tensor.DType},
 * {@link org.resnet4j.tensor.StateDict} (named tensors in a checkpoint's order) and
 * {@link org.resnet4j.tensor.TensorSpec} (a model input's or output's name, type and shape).
 */
package org.resnet4j.tensor;
