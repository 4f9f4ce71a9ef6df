/**
 * Runs ONNX models on plain tensors: the {@link org.resnet4j.engine.Engine} interface, ONNX Runtime
 * ({@link org.resnet4j.engine.OrtEngine}) and the choice between it and the pure-Java engine
 * ({@link org.resnet4j.engine.Engines}); parity measures and benchmarks over engines.
 */
package org.resnet4j.engine;
