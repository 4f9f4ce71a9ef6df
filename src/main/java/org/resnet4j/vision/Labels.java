package org.resnet4j.vision;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.files.InputFiles;

/**
 * Class names, one per line in class-index order ({@code --labels FILE}): UTF-8, a trailing
 * newline optional, {@code \r\n} accepted, names kept as written except for the line ending.
 * Blank lines are an error (they would shift every later index), except trailing ones.
 */
public final class Labels {
    private Labels() {}

    /** Reads a labels file. */
    public static List<String> read(Path file) {
        try (InputStream in = java.nio.channels.Channels.newInputStream(InputFiles.open(file, "labels file"))) {
            return parse(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new ResNet4jException.FileAccessException("labels file " + file + " does not exist");
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException(
                    "cannot read labels file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses labels from a stream; {@code source} names it in error messages. */
    static List<String> parse(InputStream in, String source) throws IOException {
        Reader reader = new InputStreamReader(
                in,
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT));
        List<String> lines = new ArrayList<>();
        try (BufferedReader br = new BufferedReader(reader)) {
            String line;
            while ((line = br.readLine()) != null) {
                lines.add(line);
            }
        } catch (CharacterCodingException e) {
            throw new FormatException(source + ": labels file is not UTF-8 text");
        }
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
            lines.set(0, lines.get(0).substring(1));
        }
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).isBlank()) {
            end--;
        }
        List<String> labels = lines.subList(0, end);
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).isBlank()) {
                throw new FormatException(
                        source + ": line " + (i + 1) + " is blank; a labels file has one class name per line");
            }
        }
        if (labels.isEmpty()) {
            throw new FormatException(source + ": labels file holds no class names");
        }
        return Collections.unmodifiableList(new ArrayList<>(labels));
    }
}
