package org.resnet4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.engine.Engine;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.tensor.TensorSpec;
import org.resnet4j.weights.Npy;

/**
 * The {@code --input [NAME=]FILE.npy} and {@code --output [NAME=]FILE.npy} arguments of run and
 * parity, bound to a model's inputs and outputs. A bare file is the model's only input (or first
 * output); several inputs are given by name. The text before the first {@code =} is the name, so
 * a file whose name contains {@code =} is given with a name ({@code input=./a=b.npy}).
 */
final class NamedFiles {
    /** One argument: the value name, or null when bare; the file. */
    record Arg(String name, Path file) {
        static Arg parse(String s) {
            int eq = s.indexOf('=');
            if (eq == 0 || eq == s.length() - 1) {
                throw new ResNet4jException("'" + s + "' is not NAME=FILE.npy nor FILE.npy");
            }
            return eq < 0 ? new Arg(null, Path.of(s)) : new Arg(s.substring(0, eq), Path.of(s.substring(eq + 1)));
        }
    }

    private NamedFiles() {}

    static List<Arg> parse(List<String> args) {
        List<Arg> out = new ArrayList<>();
        for (String a : args) {
            out.add(Arg.parse(a));
        }
        return out;
    }

    /**
     * Reads the {@code --input} files into a map by input name. Names are checked against the model
     * here so the message can say which flag to fix; types and shapes by the engine's own check.
     */
    static Map<String, Tensor> readInputs(List<Arg> args, List<TensorSpec> inputs) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        long bare = args.stream().filter(a -> a.name() == null).count();
        if (bare > 0 && (args.size() > 1 || inputs.size() != 1)) {
            throw new MismatchException("the model has " + inputs.size() + " input" + (inputs.size() == 1 ? "" : "s")
                    + " and " + args.size() + " --input files were given; name each one with --input NAME=FILE.npy "
                    + "(model inputs: " + TensorSpec.describe(inputs) + ")");
        }
        for (Arg a : args) {
            String name = a.name() != null ? a.name() : inputs.get(0).name();
            if (inputs.stream().noneMatch(s -> s.name().equals(name))) {
                throw new MismatchException("--input " + name + "=" + a.file() + ": the model has no input '" + name
                        + "' (model inputs: " + TensorSpec.describe(inputs) + ")");
            }
            if (feeds.put(name, Npy.read(a.file())) != null) {
                throw new MismatchException("input '" + name + "' is given twice by --input");
            }
        }
        for (TensorSpec s : inputs) {
            if (!feeds.containsKey(s.name())) {
                throw new MismatchException("input '" + s.name() + "' has no --input " + s.name()
                        + "=FILE.npy (model inputs: " + TensorSpec.describe(inputs) + ")");
            }
        }
        return feeds;
    }

    /** The {@code --output} files by output name: a bare file takes the first output. */
    static Map<String, Path> bindOutputs(List<Arg> args, Engine engine) {
        List<String> names = engine.outputNames();
        Map<String, Path> out = new LinkedHashMap<>();
        for (Arg a : args) {
            String name = a.name() != null ? a.name() : names.get(0);
            if (!names.contains(name)) {
                throw new MismatchException("--output " + name + "=" + a.file() + ": the model has no output '" + name
                        + "' (model outputs: " + String.join(", ", names) + ")");
            }
            if (out.put(name, a.file()) != null) {
                throw new MismatchException("output '" + name + "' is given twice by --output"
                        + (a.name() == null ? " (a bare --output FILE.npy is the first output)" : ""));
            }
        }
        return out;
    }
}
