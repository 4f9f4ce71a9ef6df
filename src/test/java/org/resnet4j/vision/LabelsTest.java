package org.resnet4j.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;

class LabelsTest {
    @TempDir
    Path tmp;

    @Test
    void imagenetLabelsInTorchvisionOrder() {
        List<String> labels = ImageNetLabels.load();
        assertEquals(1000, labels.size());
        assertEquals("tench", labels.get(0));
        assertEquals("goldfish", labels.get(1));
        assertEquals("great white shark", labels.get(2));
        assertEquals("toilet tissue", labels.get(999));
        assertEquals(1000, new HashSet<>(labels).size(), "names are distinct");
        assertThrows(UnsupportedOperationException.class, () -> labels.set(0, "x"));
    }

    @Test
    void readsOneNamePerLine() throws IOException {
        Path f = tmp.resolve("labels.txt");
        Files.write(f, "\uFEFFcat\r\ndog house\r\n\n\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("cat", "dog house"), Labels.read(f));
        Files.writeString(f, "a\nb");
        assertEquals(List.of("a", "b"), Labels.read(f));
    }

    @Test
    void refusesBlankLinesEmptyFilesAndNonUtf8() throws IOException {
        Path f = tmp.resolve("labels.txt");
        Files.writeString(f, "a\n\nb\n");
        FormatException e = assertThrows(FormatException.class, () -> Labels.read(f));
        assertContains(e.getMessage(), "line 2", f.toString());
        Files.writeString(f, "\n");
        assertThrows(FormatException.class, () -> Labels.read(f));
        Files.write(f, new byte[] {'a', (byte) 0xff, '\n'});
        assertThrows(FormatException.class, () -> Labels.read(f));
        ResNet4jException missing = assertThrows(ResNet4jException.class, () -> Labels.read(tmp.resolve("none.txt")));
        assertTrue(missing.getMessage().contains("none.txt"));
    }
}
