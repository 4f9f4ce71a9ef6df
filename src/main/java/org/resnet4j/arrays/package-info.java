/**
 * Arithmetic on plain arrays below the tensor type: shape products and formatting, half-precision
 * conversions, the BatchNorm fold. Internal: not exported by the module.
 */
package org.resnet4j.arrays;
