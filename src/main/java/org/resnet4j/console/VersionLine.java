package org.resnet4j.console;

import org.resnet4j.Version;
import picocli.CommandLine;

/**
 * The version lines of both command-line front ends: resnet4j's, then the Java that runs it (the
 * launcher picks the newest JDK it finds, so the user can see which).
 */
public final class VersionLine implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            Version.NAME + " " + Version.VERSION,
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") at "
                    + System.getProperty("java.home")
        };
    }
}
