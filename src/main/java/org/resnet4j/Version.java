package org.resnet4j;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** resnet4j's own version, from the Maven build (written into ONNX files as producer_version). */
public final class Version {
    public static final String NAME = "resnet4j";
    public static final String VERSION = load();

    private Version() {}

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
