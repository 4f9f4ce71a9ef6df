/**
 * How resnet4j touches the file system: inputs opened only when they are regular files (never a FIFO
 * or a device), outputs written to a temporary file and moved into place, scratch folders removed.
 * Internal: not exported by the module.
 */
package org.resnet4j.files;
