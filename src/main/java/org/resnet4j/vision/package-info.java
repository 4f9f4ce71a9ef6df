/**
 * Images as torchvision sees them: PIL-identical decoding ({@link org.resnet4j.vision.ImageLoader},
 * also from a {@code BufferedImage}), resize and crop, ImageNet normalisation and class names.
 */
package org.resnet4j.vision;
