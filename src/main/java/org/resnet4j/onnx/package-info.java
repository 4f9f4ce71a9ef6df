/**
 * The ONNX protobuf messages (generated from {@code proto/onnx.proto}) and small helpers to read,
 * write and build models. Internal: protobuf is relocated in the artifact and stays out of the API.
 */
package org.resnet4j.onnx;
