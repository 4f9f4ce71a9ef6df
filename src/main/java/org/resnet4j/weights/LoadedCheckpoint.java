package org.resnet4j.weights;

import java.nio.file.Path;
import org.resnet4j.tensor.StateDict;

/**
 * What a checkpoint reader found in a file: the weights under torchvision's canonical names, and
 * how they were found (format, the nested key they sat under, prefixes that were stripped), so that
 * {@code inspect} and error messages can tell the user.
 *
 * @param file       the file read
 * @param format     the container format, sniffed from the bytes
 * @param nestedKey  the top-level key the state_dict sat under ({@code state_dict}, {@code model}), or null
 * @param strippedPrefix the name prefix removed from every key ({@code module.}), or null
 * @param tensors    the weights, canonical names, file order, float32 in memory
 */
public record LoadedCheckpoint(
        Path file, CheckpointFormat format, String nestedKey, String strippedPrefix, StateDict tensors) {}
