package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnet4j.testing.PythonReference;

/** The README's "Use it from Java" example compiles as written, against the library on the test classpath. */
class ReadmeSnippetTest {
    @TempDir
    Path dir;

    @Test
    void useItFromJavaCompiles() throws Exception {
        String readme = Files.readString(PythonReference.root().resolve("README.md"));
        int section = readme.indexOf("\n## Use it from Java\n");
        assertTrue(section >= 0, "README has no \"## Use it from Java\" section");
        int start = readme.indexOf("```java\n", section);
        int end = readme.indexOf("\n```", start + 8);
        assertTrue(start > 0 && end > start, "no java block in the section");
        String code = readme.substring(start + 8, end + 1);
        Path source = dir.resolve("Example.java");
        Files.writeString(source, code);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter out = new StringWriter();
        boolean ok = javac.getTask(
                        out,
                        null,
                        null,
                        List.of(
                                "-d",
                                dir.toString(),
                                "-classpath",
                                System.getProperty("java.class.path"),
                                "-Xlint:all",
                                "-Werror"),
                        null,
                        javac.getStandardFileManager(null, null, null).getJavaFileObjects(source.toFile()))
                .call();
        assertTrue(ok, "the README example does not compile:\n" + out + "\n" + code);
        assertEquals("", out.toString().trim(), "warnings compiling the README example");
    }
}
