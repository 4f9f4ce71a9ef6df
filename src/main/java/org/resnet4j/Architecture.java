package org.resnet4j;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.spec.Presets;
import org.resnet4j.spec.ResNetSpec;
import org.resnet4j.spec.SpecJson;

/**
 * Which ResNet a checkpoint holds: a torchvision preset by name, an explicit {@link ResNetSpec},
 * or inferred from the checkpoint's tensor shapes (the default). A preset or spec is checked
 * strictly against the weights when the model is built; inference needs no help for torchvision
 * checkpoints but cannot see the stem's stride and pooling, which have no weights.
 */
public sealed interface Architecture {

    /** The spec a preset or an explicit spec fixes; empty when the architecture is to be inferred. */
    default Optional<ResNetSpec> explicitSpec() {
        if (this instanceof Preset p) {
            return Optional.of(p.spec());
        }
        return this instanceof Spec s ? Optional.of(s.spec()) : Optional.empty();
    }

    /** A torchvision builder, e.g. {@code resnet50} or {@code resnext50_32x4d}. */
    record Preset(String name, ResNetSpec spec) implements Architecture {
        public Preset {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(spec, "spec");
        }
    }

    /** An explicit block spec (small or CIFAR-style ResNets). */
    record Spec(ResNetSpec spec) implements Architecture {
        public Spec {
            Objects.requireNonNull(spec, "spec");
        }
    }

    /** Read from the checkpoint's tensor shapes. */
    record Inferred() implements Architecture {}

    /**
     * The preset {@code name}.
     *
     * @throws IllegalArgumentException when no preset has that name (the message lists them)
     */
    static Architecture preset(String name) {
        Objects.requireNonNull(name, "name");
        try {
            return new Preset(name, Presets.get(name));
        } catch (UnsupportedModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** An explicit spec. */
    static Architecture spec(ResNetSpec spec) {
        return new Spec(spec);
    }

    /** A spec read from a JSON file (the form of the README's block spec). */
    static Architecture specFile(Path json) {
        return new Spec(SpecJson.read(json));
    }

    /** Inferred from the checkpoint: the default. */
    static Architecture inferred() {
        return new Inferred();
    }
}
