package org.resnet4j.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.files.AtomicOutput;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * Writes a state_dict as a safetensors file: an 8-byte little-endian header length N, N bytes of
 * JSON header padded with spaces so that the data starts at a multiple of 8, then the tensors'
 * little-endian bytes back to back, in the state_dict's order.
 *
 * <p>The header holds {@code "__metadata__": {"format": "pt"}} and per tensor its {@code dtype},
 * {@code shape} and {@code data_offsets} (relative to the start of the data). Tensors are written as
 * {@code F32}, except tensors whose {@link Tensor#sourceType()} is int64 ({@code num_batches_tracked}),
 * which stay {@code I64} (their float value, rounded). Names are written as given: map them to
 * canonical names first ({@link NamingSchemes}). The file is written via {@link AtomicOutput}.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    public static void write(StateDict weights, Path target) throws IOException {
        byte[] header = header(weights);
        AtomicOutput.write(target, out -> {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (Tensor t : weights.asMap().values()) {
                writeData(t, out);
            }
        });
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes (the length prefix is 8 bytes too). */
    static byte[] header(StateDict weights) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : weights.asMap().entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new UnsupportedModelException(
                        "cannot write a tensor called __metadata__ to safetensors: the name is reserved");
            }
            Tensor t = e.getValue();
            boolean isLong = t.sourceType() == DType.INT64;
            long bytes = (long) t.numel() * (isLong ? 8 : 4);
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", isLong ? "I64" : "F32");
            ArrayNode shape = entry.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(Tensor t, OutputStream out) throws IOException {
        if (t.sourceType() == DType.INT64) {
            PthWriter.writeLongs(t, out);
        } else {
            PthWriter.writeBuffer(t.toLittleEndianBytes(), out);
        }
    }
}
