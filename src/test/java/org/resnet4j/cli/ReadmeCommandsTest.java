package org.resnet4j.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.resnet4j.testing.PythonReference;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The README documents every command and every option: each subcommand has a "### `name`" section
 * that names each of its options, and the contents' links point at headings that exist. A command
 * or option added without its documentation, or a section dropped in an edit, fails here.
 */
class ReadmeCommandsTest {
    private static final List<String> GLOBAL = List.of("--help", "--version", "--verbose");

    @Test
    void everyCommandHasASectionNamingEachOfItsOptions() throws Exception {
        String readme = Files.readString(PythonReference.root().resolve("README.md"));
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, java.util.function.Supplier<Object>> e : Main.SUBCOMMANDS.entrySet()) {
            String name = e.getKey();
            if (name.equals("help")) {
                continue;
            }
            int start = readme.indexOf("\n### `" + name + "`");
            if (start < 0) {
                missing.add("section ### `" + name + "`");
                continue;
            }
            int end = readme.indexOf("\n## ", start + 1);
            int next = readme.indexOf("\n### ", start + 1);
            if (next > 0 && (end < 0 || next < end)) {
                end = next;
            }
            String section = readme.substring(start, end < 0 ? readme.length() : end);
            CommandLine cl = new CommandLine(e.getValue().get());
            for (OptionSpec o : cl.getCommandSpec().options()) {
                String longest = o.longestName();
                if (GLOBAL.contains(longest) || o.hidden()) {
                    continue;
                }
                if (!section.contains(longest)) {
                    missing.add(name + " " + longest);
                }
            }
        }
        assertTrue(missing.isEmpty(), "README does not document: " + missing);
    }

    @Test
    void contentsLinksPointAtHeadings() throws Exception {
        String readme = Files.readString(PythonReference.root().resolve("README.md"));
        List<String> anchors = new ArrayList<>();
        for (String line : readme.split("\n")) {
            if (line.startsWith("#")) {
                anchors.add(anchor(line.replaceFirst("^#+\\s*", "")));
            }
        }
        List<String> broken = new ArrayList<>();
        Matcher m = Pattern.compile("\\]\\(#([^)]+)\\)").matcher(readme);
        while (m.find()) {
            if (!anchors.contains(m.group(1))) {
                broken.add(m.group(1));
            }
        }
        assertTrue(broken.isEmpty(), "README links to missing headings: " + broken + "; headings: " + anchors);
    }

    // GitHub's heading anchors: lower case, punctuation other than '-' and '_' dropped, spaces to '-'
    private static String anchor(String heading) {
        return heading.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-');
    }
}
