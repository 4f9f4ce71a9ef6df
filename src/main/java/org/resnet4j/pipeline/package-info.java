/**
 * Classification and embedding over an engine and the vision preprocessing: batches of image files
 * with one rule for files that fail, top-k with softmax, pooled features.
 */
package org.resnet4j.pipeline;
