package org.resnet4j.weights;

import java.nio.file.Path;
import java.util.List;
import org.resnet4j.tensor.StateDict;

/**
 * What a checkpoint reader found in a file: the weights under torchvision's canonical names, and
 * how they were found (format, the nested key they sat under, prefixes that were stripped, the
 * naming scheme they were mapped from), so that {@code inspect} and error messages can tell the user.
 *
 * @param file           the file read
 * @param format         the container format, sniffed from the bytes
 * @param nestedKey      the top-level key the state_dict sat under ({@code state_dict}, {@code model}), or null
 * @param strippedPrefix the name prefix removed from every key ({@code module.}), or null
 * @param tensors        the weights, canonical names, file order, float32 in memory
 * @param scheme         the naming scheme the file used ({@code torchvision}, {@code huggingface})
 * @param alternatives   other top-level keys that also hold a state_dict (choose one with {@code --key})
 * @param quantization   how its quantized tensors are quantized ({@code per-channel qint8 weights (21)}), or
 *                       null for a float checkpoint; each such tensor NAME holds its integers (as floats), with
 *                       NAME_scale and NAME_zero_point beside it
 */
public record LoadedCheckpoint(
        Path file,
        CheckpointFormat format,
        String nestedKey,
        String strippedPrefix,
        StateDict tensors,
        String scheme,
        List<String> alternatives,
        String quantization) {

    public LoadedCheckpoint {
        alternatives = List.copyOf(alternatives);
    }

    /** As a reader returns it, before name mapping. */
    public LoadedCheckpoint(
            Path file, CheckpointFormat format, String nestedKey, String strippedPrefix, StateDict tensors) {
        this(file, format, nestedKey, strippedPrefix, tensors, null, List.of(), null);
    }

    /** Whether the weights are quantized (torchvision's quantized ResNets). */
    public boolean quantized() {
        return quantization != null;
    }

    LoadedCheckpoint withMapping(String scheme, StateDict canonical) {
        return new LoadedCheckpoint(
                file, format, nestedKey, strippedPrefix, canonical, scheme, alternatives, quantization);
    }

    LoadedCheckpoint withAlternatives(List<String> others) {
        return new LoadedCheckpoint(file, format, nestedKey, strippedPrefix, tensors, scheme, others, quantization);
    }

    LoadedCheckpoint withQuantization(String summary) {
        return new LoadedCheckpoint(file, format, nestedKey, strippedPrefix, tensors, scheme, alternatives, summary);
    }
}
