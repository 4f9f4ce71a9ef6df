#!/usr/bin/python3
"""Write the 1000 ImageNet class names in torchvision's order, one per line.

The names come from the installed torchvision (ResNet50_Weights.IMAGENET1K_V2.meta["categories"]),
which ships them in the package: no network is needed.

Usage: /usr/bin/python3 tools/make_labels.py [OUT]
       (default OUT: src/main/resources/org/resnet4j/vision/imagenet_classes.txt)
"""
import os
import sys

import torchvision
from torchvision.models import ResNet50_Weights

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                           "src", "main", "resources", "org", "resnet4j", "vision", "imagenet_classes.txt")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    categories = ResNet50_Weights.IMAGENET1K_V2.meta["categories"]
    if len(categories) != 1000:
        raise SystemExit(f"expected 1000 categories, torchvision {torchvision.__version__} has {len(categories)}")
    for name in categories:
        if "\n" in name or "\r" in name or name != name.strip() or not name:
            raise SystemExit(f"category {name!r} cannot be written one per line")
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for name in categories:
            f.write(name + "\n")
    os.replace(tmp, out)
    print(f"wrote {len(categories)} ImageNet class names from torchvision {torchvision.__version__} to {out}")


if __name__ == "__main__":
    main()
