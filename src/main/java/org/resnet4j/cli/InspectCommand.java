package org.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.resnet4j.ResNet4j;
import org.resnet4j.ResNet4jException;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.NodeProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.onnx.OperatorSetIdProto;
import org.resnet4j.onnx.StringStringEntryProto;
import org.resnet4j.onnx.TensorProto;
import org.resnet4j.onnx.TensorShapeProto;
import org.resnet4j.onnx.ValueInfoProto;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.spec.SpecJson;
import org.resnet4j.graph.ArchitectureInference;
import org.resnet4j.weights.LoadedCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Describe a checkpoint (format, tensors, dtypes, parameter count) or an ONNX model.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Parameters(index = "0", paramLabel = "FILE", description = "A checkpoint (.pth, .pt, .safetensors) or an .onnx model.")
    Path file;

    @Option(names = "--json", description = "Print a JSON object instead of text.")
    boolean json;

    @Option(names = "--key", paramLabel = "KEY",
            description = "Top-level key of a training checkpoint that holds the weights (default: found automatically).")
    String key;

    @Override
    public Integer call() throws Exception {
        ObjectNode report = looksLikeOnnx(file) ? describeOnnx(Onnx.read(file)) : describeCheckpoint(ResNet4j.loadWeights(file, key));
        report.put("file", file.toString());
        if (json) {
            out().println(JSON.writeValueAsString(report));
        } else {
            printText(report);
        }
        return 0;
    }

    /** An ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08. No checkpoint format does. */
    static boolean looksLikeOnnx(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x08;
        } catch (NoSuchFileException e) {
            throw new ResNet4jException("file " + file + " does not exist");
        }
    }

    static ObjectNode describeCheckpoint(LoadedCheckpoint ckpt) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", "checkpoint");
        o.put("format", ckpt.format().label());
        o.put("scheme", ckpt.scheme());  // null: the names match no known ResNet naming scheme
        o.put("nested_key", ckpt.nestedKey());
        ArrayNode alternatives = o.putArray("other_keys");
        ckpt.alternatives().forEach(alternatives::add);
        o.put("stripped_prefix", ckpt.strippedPrefix());
        try {
            ArchitectureInference.Inferred inferred = ArchitectureInference.infer(ckpt.tensors());
            o.put("arch", inferred.preset().orElse(null));
            o.set("spec", SpecJson.toNode(inferred.spec()));
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

    static ObjectNode describeOnnx(ModelProto m) {
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
            tn.put("dtype", type == null ? "type " + t.getDataType() : type.name().toLowerCase(Locale.ROOT));
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

    private static ArrayNode valueInfos(java.util.List<ValueInfoProto> list, ModelProto m) {
        java.util.Set<String> inits = new java.util.HashSet<>();
        m.getGraph().getInitializerList().forEach(t -> inits.add(t.getName()));
        ArrayNode arr = JSON.createArrayNode();
        for (ValueInfoProto v : list) {
            if (inits.contains(v.getName())) {
                continue; // older exporters list initializers as inputs too
            }
            ObjectNode n = arr.addObject();
            n.put("name", v.getName());
            ArrayNode shape = n.putArray("shape");
            for (TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
                if (d.hasDimValue()) {
                    shape.add(d.getDimValue());
                } else {
                    shape.add(d.getDimParam().isEmpty() ? "?" : d.getDimParam());
                }
            }
        }
        return arr;
    }

    private void printText(ObjectNode r) {
        out().println("file:       " + r.get("file").asText());
        out().println("format:     " + r.get("format").asText());
        if (r.get("kind").asText().equals("onnx")) {
            out().println("ir_version: " + r.get("ir_version").asLong() + ", opsets " + r.get("opsets"));
            out().println("producer:   " + r.get("producer").asText());
            out().println("inputs:     " + r.get("inputs"));
            out().println("outputs:    " + r.get("outputs"));
            out().println("ops:        " + r.get("ops"));
            r.get("metadata").fields().forEachRemaining(e -> out().println("metadata:   " + e.getKey() + " = " + e.getValue().asText()));
        } else {
            out().println("scheme:     " + (r.get("scheme").isNull() ? "none recognised (names kept as stored)" : r.get("scheme").asText()));
            if (!r.get("nested_key").isNull()) {
                out().println("nested key: " + r.get("nested_key").asText()
                        + (r.get("other_keys").isEmpty() ? "" : " (also holding weights: " + r.get("other_keys") + ")"));
            }
            if (!r.get("stripped_prefix").isNull()) {
                out().println("prefix:     '" + r.get("stripped_prefix").asText() + "' stripped from every key");
            }
            out().println("dtypes:     " + r.get("dtypes"));
            out().println("arch:       " + r.get("architecture").asText());
            if (r.has("assumption")) {
                out().println("            (" + r.get("assumption").asText() + ")");
            }
            if (!r.get("spec").isNull()) {
                out().println("spec:       " + r.get("spec"));
            }
        }
        out().printf(Locale.ROOT, "parameters: %,d in %d tensors%n", r.get("parameters").asLong(), r.get("tensors").size());
        for (var t : r.get("tensors")) {
            out().printf(Locale.ROOT, "  %-50s %-9s %s%n", t.get("name").asText(), t.get("dtype").asText(), t.get("shape"));
        }
    }

    private java.io.PrintWriter out() {
        return commandSpec.commandLine().getOut();
    }
}
