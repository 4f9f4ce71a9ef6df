package org.resnet4j.weights;

/** Container formats we read, told apart by their first bytes, never by the file extension. */
public enum CheckpointFormat {
    /** {@code torch.save} since PyTorch 1.6: a zip with {@code <name>/data.pkl} and {@code <name>/data/<key>}. */
    PYTORCH_ZIP("pytorch-zip"),
    /** {@code torch.save(..., _use_new_zipfile_serialization=False)}: pickles then raw storages. */
    PYTORCH_LEGACY("pytorch-legacy"),
    /** Hugging Face safetensors: u64 header length, JSON header, raw little-endian data. */
    SAFETENSORS("safetensors");

    private final String label;

    CheckpointFormat(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
