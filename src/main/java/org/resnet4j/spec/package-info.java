/** The block spec of a ResNet (record, presets, JSON form, validation): architecture as data. */
package org.resnet4j.spec;
