/**
 * resnet4j: torchvision ResNets in Java. Start with {@link org.resnet4j.ResNetModel}: a checkpoint
 * ({@code .pth}, {@code .safetensors}) or an ONNX file in, {@link org.resnet4j.Prediction}s and
 * embeddings out, on ONNX Runtime or the pure-Java engine. {@link org.resnet4j.Architecture} says
 * which ResNet a checkpoint holds; {@link org.resnet4j.ResNet4jException} is the root of the
 * exceptions every package throws for bad data.
 */
package org.resnet4j;
