/**
 * Checkpoint readers and writers (PyTorch zip and legacy, safetensors), the restricted unpickler,
 * and the mapping of naming schemes to torchvision's names. Checkpoints are untrusted input.
 */
package org.resnet4j.weights;
