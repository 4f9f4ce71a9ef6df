package org.resnet4j.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training run of the launcher's start-up archive: several resnet4j commands in one JVM, so that
 * one archive (an AOT cache on JDK 24+, whose training is one process) holds the classes and profiles
 * of each. The commands are separated by {@code --next}; the first non-zero exit code stops the run
 * and becomes the process's, and the launcher then builds no archive.
 */
public final class StartupTraining {
    static final String SEPARATOR = "--next";

    private StartupTraining() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        for (List<String> command : commands(args)) {
            int code = Main.execute(command.toArray(String[]::new));
            if (code != 0) {
                return code;
            }
        }
        return 0;
    }

    static List<List<String>> commands(String... args) {
        List<List<String>> commands = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String a : Arrays.asList(args)) {
            if (a.equals(SEPARATOR)) {
                commands.add(current);
                current = new ArrayList<>();
            } else {
                current.add(a);
            }
        }
        commands.add(current);
        return commands;
    }
}
