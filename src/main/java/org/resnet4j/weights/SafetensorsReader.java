package org.resnet4j.weights;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
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
            "F32",
            DType.FLOAT32,
            "F16",
            DType.FLOAT16,
            "BF16",
            DType.BFLOAT16,
            "F64",
            DType.FLOAT64,
            "I64",
            DType.INT64);

    /** Tensor rank we read (as the pickle readers). */
    private static final int MAX_RANK = 64;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private record Info(String key, DType dtype, long[] shape, long begin, long end) {}

    private SafetensorsReader() {}

    static LoadedCheckpoint read(CheckpointFile f, String key) {
        if (key != null) {
            throw new FormatException(f.name + ": a safetensors file holds one flat state dict; there is no key '" + key
                    + "' to select (pass null)");
        }
        long maxHeader = Math.min(org.resnet4j.ReaderLimits.current().safetensorsMaxHeader(), Integer.MAX_VALUE - 8);
        long n = f.read(0, 8, "safetensors header length").getLong(0);
        if (n < 2 || n > f.size - 8) {
            throw new FormatException(f.name + ": safetensors header length " + Long.toUnsignedString(n)
                    + " is impossible: the file has " + f.size + " bytes");
        }
        if (n > maxHeader) {
            throw new UnsafeContentException(f.name + ": safetensors header of " + n
                    + " bytes exceeds the limit of " + maxHeader + " bytes ("
                    + org.resnet4j.ReaderLimits.hint("safetensors.maxHeader") + ")");
        }
        long dataStart = 8 + n;
        long dataLength = f.size - dataStart;
        List<Info> infos = parseHeader(f, f.map(8, n, "safetensors header"));
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
        return new LoadedCheckpoint(
                f.path, CheckpointFormat.SAFETENSORS, null, stripped.prefix(), new StateDict(stripped.entries()));
    }

    /**
     * The header's tensor entries, parsed as a stream: nothing but the entries themselves is kept,
     * so memory is proportional to what the header describes, never to a JSON tree of it (3 Mi
     * empty objects in {@code __metadata__} made a 335 MiB tree). The bytes are decoded as strict
     * UTF-8 as they are parsed; Jackson's {@link StreamReadConstraints} bound nesting, names,
     * strings and numbers.
     */
    private static List<Info> parseHeader(CheckpointFile f, ByteBuffer header) {
        List<Info> infos = new ArrayList<>();
        Reader text = new InputStreamReader(
                new ByteBufferInputStream(header),
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT));
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new FormatException(
                        f.name + ": safetensors header is " + describe(first) + ", expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                if (key.equals("__metadata__")) {
                    metadata(f, p);
                } else {
                    infos.add(parseInfo(f, key, p));
                }
            }
            if (p.nextToken() != null) {
                throw new FormatException(f.name + ": safetensors header has content after its JSON object");
            }
        } catch (CharacterCodingException e) {
            throw new FormatException(f.name + ": safetensors header is not valid UTF-8");
        } catch (StreamConstraintsException e) {
            throw new UnsafeContentException(f.name + ": safetensors header refused: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new FormatException(f.name + ": safetensors header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new FormatException(f.name + ": cannot read the safetensors header: " + e.getMessage(), e);
        }
        return infos;
    }

    /** {@code __metadata__}: an object of str to str, as the format says (the reference refuses anything else). */
    private static void metadata(CheckpointFile f, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new FormatException(f.name + ": safetensors __metadata__ is " + describe(p.currentToken())
                    + ", expected an object of str to str");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw new FormatException(f.name + ": safetensors __metadata__ entry '" + abbreviate(name) + "' is "
                        + describe(v) + ", expected a str (metadata is str to str)");
            }
        }
    }

    private static Info parseInfo(CheckpointFile f, String key, JsonParser p) throws IOException {
        String where = f.name + ": tensor '" + abbreviate(key) + "'";
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw lacks(where, describe(p.currentToken()));
        }
        String dt = null;
        List<Long> shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (v != JsonToken.VALUE_STRING) {
                        throw lacks(where, "dtype " + describe(v));
                    }
                    dt = p.getText();
                }
                case "shape" -> shape = integers(where, p, "shape", MAX_RANK);
                case "data_offsets" -> {
                    List<Long> o = integers(where, p, "data_offsets", 2);
                    if (o.size() != 2) {
                        throw lacks(where, "data_offsets of " + o.size() + " numbers");
                    }
                    offsets = new long[] {o.get(0), o.get(1)};
                }
                default -> p.skipChildren(); // the reference ignores other fields too
            }
        }
        if (dt == null || shape == null || offsets == null) {
            throw lacks(where, "an entry without " + (dt == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        DType dtype = DTYPES.get(dt);
        if (dtype == null) {
            throw new UnsupportedModelException(where + " has safetensors dtype " + abbreviate(dt) + ", supported: "
                    + new java.util.TreeSet<>(DTYPES.keySet()));
        }
        long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
        long begin = offsets[0];
        long end = offsets[1];
        try {
            long numel = 1;
            for (long d : dims) {
                numel = Math.multiplyExact(numel, d);
            }
            if (end < begin) {
                throw new FormatException(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
            }
            long bytes = Math.multiplyExact(numel, dtype.byteSize());
            if (end - begin != bytes) {
                throw new FormatException(where + ": shape " + shape + " of " + dt + " needs " + bytes
                        + " bytes, data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
            }
            return new Info(key, dtype, dims, begin, end);
        } catch (ArithmeticException e) {
            throw new FormatException(where + ": shape " + shape + " overflows");
        }
    }

    /** A JSON array of at most {@code max} non-negative integers that fit a long. */
    private static List<Long> integers(String where, JsonParser p, String field, int max) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw lacks(where, field + " " + describe(p.currentToken()));
        }
        List<Long> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT
                    || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 0) {
                throw new FormatException(where + ": " + field + " holds "
                        + (t == JsonToken.VALUE_NUMBER_INT ? abbreviate(p.getText()) : describe(t))
                        + ", expected non-negative integers");
            }
            if (out.size() == max) {
                throw new FormatException(where + ": " + field + " has more than " + max + " numbers");
            }
            out.add(p.getLongValue());
        }
        return out;
    }

    private static FormatException lacks(String where, String found) {
        return new FormatException(where + ": header entry lacks dtype (str), shape (list) or data_offsets"
                + " ([begin, end]): found " + found);
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "empty";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    /** Reads a buffer (here: the mapped header) as a stream, without copying it to the heap. */
    private static final class ByteBufferInputStream extends java.io.InputStream {
        private final ByteBuffer buf;

        ByteBufferInputStream(ByteBuffer buf) {
            this.buf = buf.duplicate();
        }

        @Override
        public int read() {
            return buf.hasRemaining() ? buf.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!buf.hasRemaining()) {
                return len == 0 ? 0 : -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }
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
