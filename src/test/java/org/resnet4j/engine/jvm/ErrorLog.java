package org.resnet4j.engine.jvm;

import java.util.concurrent.ConcurrentHashMap;

/** The largest relative error each test family has seen, printed at the end for the report. */
final class ErrorLog {
    private static final ConcurrentHashMap<String, Double> MAX = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!MAX.isEmpty()) {
                StringBuilder sb = new StringBuilder("[java-engine] max relative error per op vs reference:\n");
                new java.util.TreeMap<>(MAX).forEach((k, v) -> sb.append(String.format("  %-20s %.3e%n", k, v)));
                System.out.print(sb);
                try {
                    java.nio.file.Files.writeString(
                            java.nio.file.Path.of("target", "java-engine-errors.txt"),
                            sb.toString(),
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                } catch (java.io.IOException e) {
                    // a report only
                }
            }
        }));
    }

    private ErrorLog() {}

    static void record(String what, double rel) {
        String family =
                what.startsWith("torch-export") ? what.split(" ")[0] + " " + what.split(" ")[1] : what.split(" ")[0];
        MAX.merge(family, rel, Math::max);
    }
}
