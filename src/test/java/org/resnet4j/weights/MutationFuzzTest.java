package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resnet4j.ResNet4jException;

/**
 * Seeded random corruption of every fixture format: loading either succeeds or throws one of our
 * exceptions raised by an explicit check (never a raw runtime exception caught by the safety net).
 */
class MutationFuzzTest {
    static final long SEED = 20240611L;
    static final int ROUNDS = 400;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "views.pth",
                "views_legacy.pth",
                "views_p4.pth",
                "views_deflated.pth",
                "nested.pth",
                "weights.safetensors"
            })
    void corruptedFilesFailCleanly(String name) throws Exception {
        byte[] original = Fixtures.bytes(name);
        Random rnd = new Random(SEED ^ name.hashCode());
        Path p = tmp.resolve(name);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] b = original.clone();
            int edits = 1 + rnd.nextInt(4);
            for (int i = 0; i < edits; i++) {
                int at = rnd.nextInt(b.length);
                b[at] = switch (rnd.nextInt(3)) {
                    case 0 -> (byte) rnd.nextInt(256);
                    case 1 -> (byte) (b[at] ^ (1 << rnd.nextInt(8)));
                    default -> (byte) 0xff;
                };
            }
            Files.write(p, b);
            loadCleanly(p, name + " round " + round);
        }
    }

    /** The zip's CRC catches most byte flips; this corrupts data.pkl itself and rewrites valid CRCs. */
    @Test
    void corruptedPicklesFailCleanly() throws Exception {
        Random rnd = new Random(SEED);
        Path p = tmp.resolve("pickle-fuzz.pth");
        for (String name : new String[] {"views.pth", "views_p4.pth", "nested.pth"}) {
            for (int round = 0; round < ROUNDS; round++) {
                List<TinyZip.E> entries = TinyZip.entriesOf(Fixtures.file(name));
                TinyZip.E pkl = entries.stream()
                        .filter(e -> e.name.endsWith("/data.pkl"))
                        .findFirst()
                        .orElseThrow();
                byte[] b = pkl.data.clone();
                int edits = 1 + rnd.nextInt(3);
                for (int i = 0; i < edits; i++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
                pkl.data = b;
                Files.write(p, TinyZip.write(entries, false));
                loadCleanly(p, name + " pickle round " + round);
            }
        }
    }

    private static void loadCleanly(Path p, String what) {
        try {
            CheckpointLoader.load(p);
        } catch (ResNet4jException e) {
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            if (e.getCause() != null
                    && !(e.getCause() instanceof ResNet4jException)
                    && e.getMessage().contains("corrupt checkpoint (")) {
                fail(what + " reached the safety net: " + e.getMessage(), e);
            }
        }
    }
}
