package org.resnet4j.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.files.InputFiles;

/**
 * The JSON form of a {@link ResNetSpec} (snake_case keys, every field but {@code block} and
 * {@code layers} optional). Unknown keys are refused so that a typo like {@code "num_clases"} is
 * not silently ignored.
 */
public final class SpecJson {
    /** Created on first use: export never parses JSON and need not pay for Jackson's start-up. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    static final List<String> FIELDS = List.of(
            "block",
            "layers",
            "groups",
            "width_per_group",
            "num_classes",
            "in_channels",
            "stem_width",
            "widths",
            "stem_kernel",
            "stem_stride",
            "stem_pool");

    private SpecJson() {}

    /** Bytes a spec file may have: a spec is a few hundred bytes. */
    static final long MAX_BYTES = 1 << 20;

    public static ResNetSpec read(Path file) {
        byte[] bytes = InputFiles.readAll(file, "spec file", MAX_BYTES, null); // refuses a FIFO before opening it
        try {
            return parse(
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .decode(ByteBuffer.wrap(bytes))
                            .toString(),
                    file.toString());
        } catch (CharacterCodingException e) {
            throw new ResNet4jException("cannot read spec file " + file + ": not valid UTF-8", e);
        }
    }

    /** Parses {@code json}; {@code source} names where it came from, for messages. */
    public static ResNetSpec parse(String json, String source) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new FormatException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new FormatException(source + ": a spec must be a JSON object with at least 'block' and 'layers'");
        }
        try {
            return fromNode(root);
        } catch (UnsupportedModelException e) {
            throw new UnsupportedModelException(source + ": " + e.getMessage());
        }
    }

    static ResNetSpec fromNode(JsonNode root) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!FIELDS.contains(key)) {
                throw new UnsupportedModelException("unknown spec field '" + key + "', expected one of " + FIELDS);
            }
        }
        if (!root.hasNonNull("block") || !root.hasNonNull("layers")) {
            throw new UnsupportedModelException("spec fields 'block' and 'layers' are required");
        }
        if (!root.get("block").isTextual()) {
            throw new UnsupportedModelException("spec field 'block' must be a string: basic or bottleneck");
        }
        BlockKind block = BlockKind.parse(root.get("block").asText());
        List<Integer> layers = intList(root, "layers");
        List<Integer> widths = root.has("widths") ? intList(root, "widths") : ResNetSpec.DEFAULT_WIDTHS;
        return new ResNetSpec(
                block,
                layers,
                intField(root, "groups", 1),
                intField(root, "width_per_group", 64),
                intField(root, "num_classes", 1000),
                intField(root, "in_channels", 3),
                intField(root, "stem_width", 64),
                widths,
                intField(root, "stem_kernel", 7),
                intField(root, "stem_stride", 2),
                boolField(root, "stem_pool", true));
    }

    private static int intField(JsonNode root, String field, int fallback) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new UnsupportedModelException("spec field '" + field + "' must be an integer, got " + n);
        }
        return n.intValue();
    }

    private static boolean boolField(JsonNode root, String field, boolean fallback) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new UnsupportedModelException("spec field '" + field + "' must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    private static List<Integer> intList(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (!n.isArray()) {
            throw new UnsupportedModelException("spec field '" + field + "' must be a list of integers, got " + n);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode v : n) {
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new UnsupportedModelException("spec field '" + field + "' must be a list of integers, got " + n);
            }
            out.add(v.intValue());
        }
        return out;
    }

    /** The spec as a JSON object with every field written out: what {@link #toJson} is checked against. */
    static ObjectNode toNode(ResNetSpec spec) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("block", spec.block().label());
        ArrayNode layers = o.putArray("layers");
        spec.layers().forEach(layers::add);
        o.put("groups", spec.groups());
        o.put("width_per_group", spec.widthPerGroup());
        o.put("num_classes", spec.numClasses());
        o.put("in_channels", spec.inChannels());
        o.put("stem_width", spec.stemWidth());
        ArrayNode widths = o.putArray("widths");
        spec.widths().forEach(widths::add);
        o.put("stem_kernel", spec.stemKernel());
        o.put("stem_stride", spec.stemStride());
        o.put("stem_pool", spec.stemPool());
        return o;
    }

    /**
     * The spec as compact JSON, the same text as {@code toNode(spec).toString()}. Written by hand
     * because {@code export} needs it and would otherwise load Jackson (~0.1 s of a 0.5 s run) for
     * one flat object of numbers.
     */
    public static String toJson(ResNetSpec spec) {
        return "{\"block\":\"" + spec.block().label() + "\""
                + ",\"layers\":" + list(spec.layers())
                + ",\"groups\":" + spec.groups()
                + ",\"width_per_group\":" + spec.widthPerGroup()
                + ",\"num_classes\":" + spec.numClasses()
                + ",\"in_channels\":" + spec.inChannels()
                + ",\"stem_width\":" + spec.stemWidth()
                + ",\"widths\":" + list(spec.widths())
                + ",\"stem_kernel\":" + spec.stemKernel()
                + ",\"stem_stride\":" + spec.stemStride()
                + ",\"stem_pool\":" + spec.stemPool() + "}";
    }

    private static String list(List<Integer> values) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            b.append(i == 0 ? "" : ",").append(values.get(i));
        }
        return b.append(']').toString();
    }
}
