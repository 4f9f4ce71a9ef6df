package org.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.resnet4j.Inspection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Describe a checkpoint (format, tensors, dtypes, parameter count) or an ONNX model.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    private static final ObjectMapper JSON = Lines.JSON;

    @Parameters(
            index = "0",
            paramLabel = "FILE",
            description = "A checkpoint (.pth, .pt, .safetensors) or an .onnx model.")
    Path file;

    @Option(names = "--json", description = "Print a JSON object instead of text.")
    boolean json;

    @Option(
            names = "--key",
            paramLabel = "KEY",
            description =
                    "Top-level key of a training checkpoint that holds the weights (default: found automatically).")
    String key;

    @Override
    public Integer call() throws Exception {
        ObjectNode report = JSON.valueToTree(Inspection.describe(file, key));
        if (json) {
            out().println(JSON.writeValueAsString(report));
        } else {
            printText(report);
        }
        return 0;
    }

    private void printText(ObjectNode r) {
        Lines.println(out(), "file:       " + r.get("file").asText());
        Lines.println(out(), "format:     " + r.get("format").asText());
        if (r.get("kind").asText().equals("onnx")) {
            Lines.println(out(), "ir_version: " + r.get("ir_version").asLong() + ", opsets " + r.get("opsets"));
            Lines.println(out(), "producer:   " + r.get("producer").asText());
            Lines.println(out(), "inputs:     " + r.get("inputs"));
            Lines.println(out(), "outputs:    " + r.get("outputs"));
            Lines.println(out(), "ops:        " + r.get("ops"));
            r.get("metadata")
                    .fields()
                    .forEachRemaining(e -> Lines.println(
                            out(),
                            "metadata:   " + e.getKey() + " = " + e.getValue().asText()));
        } else {
            Lines.println(
                    out(),
                    "scheme:     "
                            + (r.get("scheme").isNull()
                                    ? "none recognised (names kept as stored)"
                                    : r.get("scheme").asText()));
            if (!r.get("nested_key").isNull()) {
                Lines.println(
                        out(),
                        "nested key: " + r.get("nested_key").asText()
                                + (r.get("other_keys").isEmpty()
                                        ? ""
                                        : " (also holding weights: " + r.get("other_keys") + ")"));
            }
            if (!r.get("stripped_prefix").isNull()) {
                Lines.println(out(), "prefix:     '" + r.get("stripped_prefix").asText() + "' stripped from every key");
            }
            Lines.println(out(), "dtypes:     " + r.get("dtypes"));
            if (r.hasNonNull("quantization")) {
                Lines.println(
                        out(), "weights:    quantized (" + r.get("quantization").asText() + ")");
            }
            Lines.println(out(), "arch:       " + r.get("architecture").asText());
            if (r.has("assumption")) {
                Lines.println(out(), "            (" + r.get("assumption").asText() + ")");
            }
            if (!r.get("spec").isNull()) {
                Lines.println(out(), "spec:       " + r.get("spec"));
            }
        }
        Lines.printf(
                out(),
                "parameters: %,d in %d tensors%n",
                r.get("parameters").asLong(),
                r.get("tensors").size());
        for (var t : r.get("tensors")) {
            Lines.printf(
                    out(),
                    "  %-50s %-9s %s%n",
                    t.get("name").asText(),
                    t.get("dtype").asText(),
                    t.get("shape"));
        }
    }

    private java.io.PrintWriter out() {
        return commandSpec.commandLine().getOut();
    }
}
