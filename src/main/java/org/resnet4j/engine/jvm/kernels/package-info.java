/**
 * The Java engine's numeric kernels: GEMM (naive oracle, blocked scalar, Vector API), convolution
 * and pooling, the worker pool. Internal to the engine.
 */
package org.resnet4j.engine.jvm.kernels;
