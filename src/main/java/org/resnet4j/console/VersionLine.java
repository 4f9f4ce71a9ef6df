package org.resnet4j.console;

import org.resnet4j.Version;
import picocli.CommandLine;

/** The version line of both command-line front ends. */
public final class VersionLine implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {Version.NAME + " " + Version.VERSION};
    }
}
