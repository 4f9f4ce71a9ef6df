package org.resnet4j.security;

import java.nio.file.Path;
import org.resnet4j.ResNet4jException;

/**
 * Reads every hostile corpus file (and the valid fixtures) in one JVM: run by {@link HostileCorpusTest}
 * with {@code -Xmx256m}. Prints one line per file; exits 0 when every hostile file threw the
 * manifest's exception and every valid one loaded, 1 otherwise. An OutOfMemoryError ends the JVM
 * with a non-zero code too (and "OOM" on stdout).
 */
public final class CorpusRunner {
    private CorpusRunner() {}

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        int bad = 0;
        try {
            for (int round = 0; round < 2; round++) { // twice: memory must not accumulate
                for (HostileCorpus.Item item : HostileCorpus.load(root)) {
                    if (item.isEngine()) {
                        continue; // the readers' memory is measured here; the engines' bounds are their own
                    }
                    try {
                        HostileCorpus.read(item);
                        System.out.println("LOADED " + item.name());
                        bad++;
                    } catch (ResNet4jException e) {
                        boolean ok = e.getClass().getSimpleName().equals(item.exception());
                        System.out.println((ok ? "ok " : "WRONG ") + item.name() + " "
                                + e.getClass().getSimpleName());
                        bad += ok ? 0 : 1;
                    }
                }
                for (String valid : new String[] {
                    "testdata/golden/tiny_basic/weights.pth",
                    "testdata/golden/cifar_basic/weights.pth",
                    "testdata/golden/tiny_bottleneck_grouped/weights.pth"
                }) {
                    HostileCorpus.read("checkpoint", root.resolve(valid));
                    System.out.println("ok valid " + valid);
                }
            }
        } catch (OutOfMemoryError e) {
            System.out.println("OOM " + e);
            System.exit(2);
        }
        System.out.println("done, " + bad + " wrong");
        System.exit(bad == 0 ? 0 : 1);
    }
}
