/** The Java engine's ONNX operators, one class per op family, with shared input checks. Internal to the engine. */
package org.resnet4j.engine.jvm.ops;
