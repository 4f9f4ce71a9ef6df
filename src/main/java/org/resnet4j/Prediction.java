package org.resnet4j;

/**
 * One class of a top-k list.
 *
 * @param index       the class index: the position of its logit in the model's output
 * @param label       the class name (ImageNet's for a 1000-class model unless labels were given)
 * @param probability its softmax probability, 0..1
 */
public record Prediction(int index, String label, double probability) {}
