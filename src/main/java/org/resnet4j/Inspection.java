package org.resnet4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.resnet4j.build.OnnxBuild;
import org.resnet4j.files.InputFiles;
import org.resnet4j.graph.ArchitectureInference;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.onnx.StringStringEntryProto;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.onnx.TensorShapeProto;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.weights.LoadedCheckpoint;

/**
 * What is in a checkpoint or an ONNX file, as plain data (ordered maps, lists, strings and
 * numbers, ready for any JSON library): for a checkpoint its format, naming scheme, nested key,
 * stripped prefix, inferred architecture, dtypes and tensors; for an ONNX file its IR version,
 * opsets, producer, inputs, outputs, op counts, metadata and initializers.
 */
public final class Inspection {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Inspection() {}

    /**
     * Describes {@code file}, an ONNX model or a checkpoint (told apart by its first byte);
     * {@code key} picks the state_dict of a training checkpoint (null: found automatically).
     */
    public static Map<String, Object> describe(Path file, String key) {
        try {
            ObjectNode report = looksLikeOnnx(file)
                    ? describeOnnx(Onnx.read(file))
                    : describeCheckpoint(OnnxBuild.loadWeights(file, key));
            report.put("file", file.toString());
            return JSON.convertValue(report, new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** An ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08. No checkpoint format does. */
    private static boolean looksLikeOnnx(Path file) throws IOException {
        InputFiles.requireRegular(file, "file"); // opening a FIFO to sniff it would block
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x08;
        } catch (NoSuchFileException e) {
            throw new ResNet4jException.FileAccessException("file " + file + " does not exist");
        }
    }

    /** The spec's JSON ({@link SpecJson#toJson}) as a node of the report. */
    private static JsonNode specNode(ResNetSpec spec) {
        try {
            return JSON.readTree(SpecJson.toJson(spec));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("SpecJson wrote invalid JSON: " + e.getMessage(), e);
        }
    }

    private static ObjectNode describeCheckpoint(LoadedCheckpoint ckpt) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", "checkpoint");
        o.put("format", ckpt.format().label());
        o.put("scheme", ckpt.scheme()); // null: the names match no known ResNet naming scheme
        o.put("quantization", ckpt.quantization()); // null: float weights
        o.put("nested_key", ckpt.nestedKey());
        ArrayNode alternatives = o.putArray("other_keys");
        ckpt.alternatives().forEach(alternatives::add);
        o.put("stripped_prefix", ckpt.strippedPrefix());
        try {
            ArchitectureInference.Inferred inferred = ArchitectureInference.infer(ckpt.tensors());
            o.put("arch", inferred.preset().orElse(null));
            o.set("spec", specNode(inferred.spec()));
            o.put("architecture", inferred.describe());
            o.put("assumption", inferred.assumption());
        } catch (ResNet4jException e) {
            o.putNull("arch");
            o.putNull("spec");
            o.put("architecture", "not a torchvision-style ResNet: " + e.getMessage());
        }
        o.put("parameters", ckpt.tensors().parameterCount());
        Map<String, Integer> dtypes = new TreeMap<>();
        ArrayNode tensors = o.putArray("tensors");
        for (Map.Entry<String, Tensor> e : ckpt.tensors().asMap().entrySet()) {
            ObjectNode t = tensors.addObject();
            t.put("name", e.getKey());
            t.put("dtype", e.getValue().sourceType().label());
            ArrayNode shape = t.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            dtypes.merge(e.getValue().sourceType().label(), 1, Integer::sum);
        }
        ObjectNode dt = o.putObject("dtypes");
        dtypes.forEach(dt::put);
        return o;
    }

    private static ObjectNode describeOnnx(ModelProto m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", "onnx");
        o.put("format", "onnx");
        o.put("ir_version", m.getIrVersion());
        ObjectNode opsets = o.putObject("opsets");
        for (OperatorSetIdProto op : m.getOpsetImportList()) {
            opsets.put(op.getDomain().isEmpty() ? "ai.onnx" : op.getDomain(), op.getVersion());
        }
        o.put("producer", (m.getProducerName() + " " + m.getProducerVersion()).trim());
        long params = 0;
        ArrayNode tensors = o.putArray("tensors");
        for (TensorProto t : m.getGraph().getInitializerList()) {
            long n = 1;
            ArrayNode shape = JSON.createArrayNode();
            for (long d : t.getDimsList()) {
                n *= d;
                shape.add(d);
            }
            params += n;
            ObjectNode tn = tensors.addObject();
            tn.put("name", t.getName());
            TensorProto.DataType type = TensorProto.DataType.forNumber(t.getDataType());
            tn.put(
                    "dtype",
                    type == null ? "type " + t.getDataType() : type.name().toLowerCase(Locale.ROOT));
            tn.set("shape", shape);
        }
        o.put("parameters", params);
        o.set("inputs", valueInfos(m.getGraph().getInputList(), m));
        o.set("outputs", valueInfos(m.getGraph().getOutputList(), m));
        Map<String, Integer> ops = new TreeMap<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            ops.merge(n.getOpType(), 1, Integer::sum);
        }
        ObjectNode opsNode = o.putObject("ops");
        ops.forEach(opsNode::put);
        ObjectNode meta = o.putObject("metadata");
        for (StringStringEntryProto e : m.getMetadataPropsList()) {
            meta.put(e.getKey(), e.getValue());
        }
        return o;
    }

    private static ArrayNode valueInfos(List<ValueInfoProto> list, ModelProto m) {
        Set<String> inits = new HashSet<>();
        m.getGraph().getInitializerList().forEach(t -> inits.add(t.getName()));
        ArrayNode arr = JSON.createArrayNode();
        for (ValueInfoProto v : list) {
            if (inits.contains(v.getName())) {
                continue; // older exporters list initializers as inputs too
            }
            ObjectNode n = arr.addObject();
            n.put("name", v.getName());
            ArrayNode shape = n.putArray("shape");
            for (TensorShapeProto.Dimension d :
                    v.getType().getTensorType().getShape().getDimList()) {
                if (d.hasDimValue()) {
                    shape.add(d.getDimValue());
                } else {
                    shape.add(d.getDimParam().isEmpty() ? "?" : d.getDimParam());
                }
            }
        }
        return arr;
    }
}
