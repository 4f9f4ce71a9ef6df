/** Plain data every layer shares: {@link org.resnet4j.tensor.Tensor}, state dicts, {@code .npy} files, atomic output. */
package org.resnet4j.tensor;
