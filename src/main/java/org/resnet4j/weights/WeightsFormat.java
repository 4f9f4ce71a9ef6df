package org.resnet4j.weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.tensor.StateDict;

/** The formats a state_dict can be written in, chosen by the output file's extension. */
public enum WeightsFormat {
    SAFETENSORS("safetensors") {
        @Override
        public void write(StateDict weights, Path file) throws IOException {
            SafetensorsWriter.write(weights, file);
        }
    },
    PYTORCH_ZIP("pytorch-zip") {
        @Override
        public void write(StateDict weights, Path file) throws IOException {
            PthWriter.write(weights, file);
        }
    };

    private final String label;

    WeightsFormat(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Writes {@code weights} to {@code file} atomically. */
    public abstract void write(StateDict weights, Path file) throws IOException;

    /** The format for an output path: {@code .safetensors}, or {@code .pth}/{@code .pt}. */
    public static WeightsFormat forOutput(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) {
            return SAFETENSORS;
        }
        if (name.endsWith(".pth") || name.endsWith(".pt")) {
            return PYTORCH_ZIP;
        }
        throw new UnsupportedModelException("cannot tell the output format of " + file
                + " from its extension; expected one of .safetensors, .pth, .pt");
    }
}
