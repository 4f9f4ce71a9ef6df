package org.resnet4j.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.resnet4j.EngineType;
import org.resnet4j.ResNet4jException;
import org.resnet4j.demo.DigitsDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Classify scikit-learn's held-out 8x8 digits with the small ResNet shipped in the jar "
                    + "(trained by tools/train_digits.py, loaded from its .pth through the real loader) on ONNX Runtime "
                    + "and the Java engine; print accuracy next to PyTorch's, engine agreement, sample digits and timings.",
            "Exit code 1 if an engine's accuracy differs from PyTorch's."
        })
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Option(
            names = "--threads",
            defaultValue = "0",
            paramLabel = "T",
            description = "Intra-op threads (default 0: all cores).")
    int threads;

    @Option(
            names = "--engine",
            paramLabel = "ort|java",
            split = ",",
            description = "Engines to run, comma-separated (default: ort,java).")
    List<String> engines;

    @Option(
            names = "--json",
            description = "Print a JSON object (accuracy, agreement with PyTorch, timings) instead of the report.")
    boolean json;

    @Override
    public Integer call() {
        List<EngineType> kinds = engines == null
                ? DigitsDemo.defaultEngines()
                : engines.stream().map(EngineType::parse).toList();
        if (kinds.isEmpty()) {
            throw new ResNet4jException("--engine: give ort, java or both");
        }
        DigitsDemo.Report report = DigitsDemo.run(kinds, threads);
        if (json) {
            commandSpec.commandLine().getOut().println(DigitsDemo.json(report));
        } else {
            DigitsDemo.print(report, commandSpec.commandLine().getOut());
        }
        return DigitsDemo.matchesPyTorch(report) ? 0 : Main.EXIT_FAILURE;
    }
}
