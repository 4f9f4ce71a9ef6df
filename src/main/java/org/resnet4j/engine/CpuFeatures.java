package org.resnet4j.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The CPU's identity as far as compiled kernels care: Linux's feature flags of the first processor
 * ({@code /proc/cpuinfo}, sorted) with the architecture. ONNX Runtime picks kernels and, at level
 * {@code all}, blocked weight layouts by these flags (16 floats per block with AVX-512, 8 with AVX2),
 * so what it optimised on one CPU is only reused on a CPU with the same flags. Java has no CPUID; where
 * the file cannot be read (not Linux) the signature is null and nothing that needs it is cached.
 */
final class CpuFeatures {
    private static final String SIGNATURE = read();

    private CpuFeatures() {}

    /** e.g. {@code amd64: 3dnowprefetch abm adx aes ... xsaves}, or null where unknown. */
    static String signature() {
        return SIGNATURE;
    }

    private static String read() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.US_ASCII)) {
                // "flags" on x86, "Features" on ARM
                if (line.startsWith("flags") || line.startsWith("Features")) {
                    int colon = line.indexOf(':');
                    String flags = Arrays.stream(
                                    line.substring(colon + 1).trim().split("\\s+"))
                            .sorted()
                            .collect(Collectors.joining(" "));
                    return System.getProperty("os.arch") + ": " + flags;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted
        }
        return null;
    }
}
