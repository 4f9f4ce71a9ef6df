/** The {@code demo} command's digits model and held-out images: a self-contained tour. Not an API. */
package org.resnet4j.demo;
