/**
 * What the two command-line front ends share, the {@code resnet4j} command ({@code cli}) and the Spark
 * batch job ({@code spark}): one-line errors with the same exit codes, the version line.
 */
package org.resnet4j.console;
