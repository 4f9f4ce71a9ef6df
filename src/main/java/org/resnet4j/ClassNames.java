package org.resnet4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.resnet4j.ResNet4jException.MismatchException;
import org.resnet4j.vision.ImageNetLabels;
import org.resnet4j.vision.Labels;

/** The class names of a model: given, read from a file, ImageNet's for 1000 classes, else "class N". */
final class ClassNames {
    private ClassNames() {}

    /**
     * The names for a model of {@code classes} outputs (-1: not declared): {@code given} or those in
     * {@code file} when either is set (their count must equal the model's), else ImageNet's for a
     * 1000-class model, else {@code "class N"}. {@code model} names the model in messages.
     */
    static List<String> of(int classes, List<String> given, Path file, String model) {
        if (given != null || file != null) {
            List<String> names = given != null ? List.copyOf(given) : Labels.read(file);
            if (classes >= 0 && names.size() != classes) {
                throw new MismatchException((file != null ? "labels file " + file + " has " : model + ": ")
                        + names.size() + (file != null ? " class names" : " labels given") + ", the model has "
                        + classes + " classes");
            }
            return names;
        }
        if (classes < 0) {
            throw new MismatchException(model
                    + ": the model's output does not declare its number of classes; give the class names (labels)");
        }
        if (classes == ImageNetLabels.COUNT) {
            return ImageNetLabels.load();
        }
        List<String> names = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) {
            names.add("class " + i);
        }
        return Collections.unmodifiableList(names);
    }
}
