/**
 * A {@link org.resnet4j.spec.ResNetSpec} as an ONNX graph with torchvision's names; binding weights to
 * it with the one strict check ({@link org.resnet4j.graph.ModelAssembler#check}); inferring the spec
 * from a checkpoint's shapes; BatchNorm folding; exposing the pooled features as an output.
 */
package org.resnet4j.graph;
