/**
 * The {@code resnet4j} command line (picocli): parses options, calls the library, prints. Holds no
 * logic the library lacks except expanding command-line paths into image files and flag hints in
 * error messages. Not an API.
 */
package org.resnet4j.cli;
