package org.resnet4j.weights;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.tensor.DType;
import org.resnet4j.tensor.StateDict;
import org.resnet4j.tensor.Tensor;

/**
 * Reads Hugging Face safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code name -> {dtype, shape, data_offsets}} plus an optional {@code __metadata__}), then the
 * raw little-endian data. The data offsets must tile the data region exactly: sorted, contiguous,
 * no gaps, no overlap, each of {@code numel * size} bytes. float32 tensors are mapped zero-copy.
 */
final class SafetensorsReader {
    /** safetensors dtype names we read, and the element type each is. */
    static final Map<String, DType> DTYPES = Map.of(
            "F32", DType.FLOAT32, "F16", DType.FLOAT16, "BF16", DType.BFLOAT16, "F64", DType.FLOAT64,
            "I64", DType.INT64);

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private record Info(String key, DType dtype, long[] shape, long begin, long end) {}

    private SafetensorsReader() {}

    static LoadedCheckpoint read(CheckpointFile f, String key) {
        if (key != null) {
            throw new FormatException(f.name + ": a safetensors file holds one flat state dict; there is no key '"
                    + key + "' to select (pass null)");
        }
        long maxHeader = Math.min(org.resnet4j.ReaderLimits.current().safetensorsMaxHeader(), Integer.MAX_VALUE - 8);
        long n = f.read(0, 8, "safetensors header length").getLong(0);
        if (n < 2 || n > f.size - 8) {
            throw new FormatException(f.name + ": safetensors header length " + Long.toUnsignedString(n)
                    + " is impossible: the file has " + f.size + " bytes");
        }
        if (n > maxHeader) {
            throw new org.resnet4j.ResNet4jException.UnsafeContentException(f.name + ": safetensors header of " + n
                    + " bytes exceeds the limit of " + maxHeader + " bytes ("
                    + org.resnet4j.ReaderLimits.hint("safetensors.maxHeader") + ")");
        }
        ByteBuffer hb = f.read(8, (int) n, "safetensors header");
        JsonNode header;
        try {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(hb.duplicate()).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new FormatException(f.name + ": safetensors header is not valid UTF-8");
            }
            header = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FormatException(f.name + ": safetensors header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(header instanceof ObjectNode obj)) {
            throw new FormatException(f.name + ": safetensors header is a JSON " + header.getNodeType()
                    + ", expected an object");
        }
        long dataStart = 8 + n;
        long dataLength = f.size - dataStart;
        List<Info> infos = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                if (!e.getValue().isObject()) {
                    throw new FormatException(f.name + ": safetensors __metadata__ is not an object");
                }
                continue;
            }
            infos.add(parseInfo(f, e.getKey(), e.getValue()));
        }
        // the data offsets must tile [0, dataLength) exactly
        List<Info> byOffset = new ArrayList<>(infos);
        byOffset.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long expect = 0;
        for (Info i : byOffset) {
            if (i.begin() != expect) {
                throw new FormatException(f.name + ": tensor '" + i.key() + "' data starts at " + i.begin()
                        + ", expected " + expect + (i.begin() < expect ? " (overlaps the previous tensor)" : " (gap)"));
            }
            expect = i.end();
        }
        if (expect != dataLength) {
            throw new FormatException(f.name + ": safetensors tensors cover " + expect + " bytes of data, the file has "
                    + dataLength + " bytes after the header" + (expect > dataLength ? " (truncated)" : ""));
        }
        TensorDecoder decoder = new TensorDecoder(f.name, TensorDecoder.budgetFor(f.size));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Info i : infos) {
            ByteBuffer bytes = f.map(dataStart + i.begin(), i.end() - i.begin(), "tensor '" + i.key() + "'");
            long numel = (i.end() - i.begin()) / i.dtype().byteSize();
            tensors.put(i.key(), decoder.decode(i.key(), i.dtype(), bytes, numel, 0, i.shape(), strides(i.shape())));
        }
        StateDictSelector.Stripped<Tensor> stripped = StateDictSelector.stripPrefixes(tensors);
        return new LoadedCheckpoint(f.path, CheckpointFormat.SAFETENSORS, null, stripped.prefix(),
                new StateDict(stripped.entries()));
    }

    private static Info parseInfo(CheckpointFile f, String key, JsonNode v) {
        String where = f.name + ": tensor '" + key + "'";
        if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray()
                || !v.path("data_offsets").isArray() || v.path("data_offsets").size() != 2) {
            throw new FormatException(where + ": header entry " + abbreviate(v.toString())
                    + " lacks dtype (str), shape (list) or data_offsets ([begin, end])");
        }
        String dt = v.get("dtype").asText();
        DType dtype = DTYPES.get(dt);
        if (dtype == null) {
            throw new UnsupportedModelException(where + " has safetensors dtype " + dt + ", supported: "
                    + new java.util.TreeSet<>(DTYPES.keySet()));
        }
        JsonNode shapeNode = v.get("shape");
        long[] shape = new long[shapeNode.size()];
        long numel = 1;
        try {
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                    throw new FormatException(where + ": shape " + shapeNode + " is not a list of non-negative integers");
                }
                shape[i] = d.asLong();
                numel = Math.multiplyExact(numel, shape[i]);
            }
            long begin = offset(where, v.get("data_offsets").get(0));
            long end = offset(where, v.get("data_offsets").get(1));
            if (end < begin) {
                throw new FormatException(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
            }
            long bytes = Math.multiplyExact(numel, dtype.byteSize());
            if (end - begin != bytes) {
                throw new FormatException(where + ": shape " + shapeNode + " of " + dt + " needs " + bytes
                        + " bytes, data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
            }
            return new Info(key, dtype, shape, begin, end);
        } catch (ArithmeticException e) {
            throw new FormatException(where + ": shape " + shapeNode + " overflows");
        }
    }

    private static long offset(String where, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw new FormatException(where + ": data offset " + n + " is not a non-negative integer");
        }
        return n.asLong();
    }

    private static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
