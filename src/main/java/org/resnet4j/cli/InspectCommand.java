package org.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
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

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
        out().println("file:       " + r.get("file").asText());
        out().println("format:     " + r.get("format").asText());
        if (r.get("kind").asText().equals("onnx")) {
            out().println("ir_version: " + r.get("ir_version").asLong() + ", opsets " + r.get("opsets"));
            out().println("producer:   " + r.get("producer").asText());
            out().println("inputs:     " + r.get("inputs"));
            out().println("outputs:    " + r.get("outputs"));
            out().println("ops:        " + r.get("ops"));
            r.get("metadata")
                    .fields()
                    .forEachRemaining(e -> out().println("metadata:   " + e.getKey() + " = "
                            + e.getValue().asText()));
        } else {
            out().println("scheme:     "
                    + (r.get("scheme").isNull()
                            ? "none recognised (names kept as stored)"
                            : r.get("scheme").asText()));
            if (!r.get("nested_key").isNull()) {
                out().println("nested key: " + r.get("nested_key").asText()
                        + (r.get("other_keys").isEmpty()
                                ? ""
                                : " (also holding weights: " + r.get("other_keys") + ")"));
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
        out().printf(
                        Locale.ROOT,
                        "parameters: %,d in %d tensors%n",
                        r.get("parameters").asLong(),
                        r.get("tensors").size());
        for (var t : r.get("tensors")) {
            out().printf(
                            Locale.ROOT,
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
