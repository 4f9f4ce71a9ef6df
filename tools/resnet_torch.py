#!/usr/bin/python3
"""torchvision ResNets from a resnet4j block spec, and seeded random weights.

Importable module shared by the reference scripts in tools/ (run them with
Debian's /usr/bin/python3: torch 1.13, torchvision 0.14).

    from resnet_torch import build_model, randomize, resolve_spec
    model = build_model(arch="resnet50")                  # torchvision.models.resnet50(weights=None)
    model = build_model(spec={"block": "basic", "layers": [1, 1, 1], "widths": [8, 16, 32],
                              "stem_kernel": 3, "stem_stride": 1, "stem_pool": False})
    randomize(model, seed=0)                              # every parameter and BN buffer random; eval()

The block spec (the same JSON the Java side reads; every field but block and layers optional):

    {"block": "bottleneck", "layers": [3, 4, 6, 3], "groups": 1, "width_per_group": 64,
     "num_classes": 1000, "in_channels": 3,
     "stem_width": 64, "widths": [64, 128, 256, 512], "stem_kernel": 7, "stem_stride": 2,
     "stem_pool": true}

How a model is built (the path taken is returned by `construction(model)`):
  * "builder":  the spec is one of the ten presets with the default stem and widths: the model
                comes from torchvision.models.<preset>(weights=None, num_classes=N); for
                in_channels != 3 only conv1 is replaced (same shape otherwise, same name).
  * "resnet":   default stem and widths, four stages, but not a preset (e.g. bottleneck
                [2, 2, 2, 2]): torchvision.models.resnet.ResNet(block, layers, ...) directly.
  * "general":  anything else: `GeneralResNet`, a subclass of torchvision's ResNet that reuses
                its BasicBlock / Bottleneck and ResNet._make_layer, with the same attribute
                names (conv1, bn1, relu, maxpool, layer1..layerK, avgpool, fc), so state_dict
                keys follow torchvision's scheme.
  * quantizable=True: the same structure with torchvision.models.quantization's blocks
                (QuantizableBasicBlock / QuantizableBottleneck: FloatFunctional add_relu, no inplace
                ReLU), QuantStub/DeQuantStub around it and fuse_model(): "quantizable:" +
                QuantizableResNet for the default stem and four stages, or QuantizableGeneralResNet.
"""

import json
import math

import torch
import torch.nn as nn
import torchvision
from torchvision.models.quantization.resnet import QuantizableBasicBlock, QuantizableBottleneck, QuantizableResNet
from torchvision.models.quantization.utils import _replace_relu
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

BLOCKS = {"basic": BasicBlock, "bottleneck": Bottleneck}
QUANTIZABLE_BLOCKS = {"basic": QuantizableBasicBlock, "bottleneck": QuantizableBottleneck}

DEFAULTS = {
    "groups": 1,
    "width_per_group": 64,
    "num_classes": 1000,
    "in_channels": 3,
    "stem_width": 64,
    "widths": [64, 128, 256, 512],
    "stem_kernel": 7,
    "stem_stride": 2,
    "stem_pool": True,
}

FIELDS = ("block", "layers") + tuple(DEFAULTS)

# name -> (block, layers, groups, width_per_group); builder = torchvision.models.<name>
PRESETS = {
    "resnet18": ("basic", [2, 2, 2, 2], 1, 64),
    "resnet34": ("basic", [3, 4, 6, 3], 1, 64),
    "resnet50": ("bottleneck", [3, 4, 6, 3], 1, 64),
    "resnet101": ("bottleneck", [3, 4, 23, 3], 1, 64),
    "resnet152": ("bottleneck", [3, 8, 36, 3], 1, 64),
    "resnext50_32x4d": ("bottleneck", [3, 4, 6, 3], 32, 4),
    "resnext101_32x8d": ("bottleneck", [3, 4, 23, 3], 32, 8),
    "resnext101_64x4d": ("bottleneck", [3, 4, 23, 3], 64, 4),
    "wide_resnet50_2": ("bottleneck", [3, 4, 6, 3], 1, 128),
    "wide_resnet101_2": ("bottleneck", [3, 4, 23, 3], 1, 128),
}

# Spec fields that must hold their default for a torchvision builder / ResNet class to be used.
_STEM_FIELDS = ("stem_width", "widths", "stem_kernel", "stem_stride", "stem_pool")


class SpecError(ValueError):
    """An invalid block spec; the message names the field and the allowed values."""


def preset_spec(arch):
    """The full spec (all fields) of a preset name."""
    if arch not in PRESETS:
        raise SpecError("unknown arch %r; allowed: %s" % (arch, ", ".join(PRESETS)))
    block, layers, groups, wpg = PRESETS[arch]
    spec = dict(DEFAULTS)
    spec.update(block=block, layers=list(layers), groups=groups, width_per_group=wpg)
    return {k: spec[k] for k in FIELDS}


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def resolve_spec(arch=None, spec=None, num_classes=None, in_channels=None):
    """Validate and complete a spec: exactly one of arch (preset name) or spec (dict, or a path to a
    JSON file). num_classes / in_channels, when given, override the spec's. Returns a new dict with
    every field, in the canonical field order."""
    if (arch is None) == (spec is None):
        raise SpecError("give exactly one of arch or spec")
    if arch is not None:
        full = preset_spec(arch)
    else:
        if isinstance(spec, str):
            with open(spec) as f:
                spec = json.load(f)
        if not isinstance(spec, dict):
            raise SpecError("spec: expected a JSON object, got %s" % type(spec).__name__)
        unknown = sorted(set(spec) - set(FIELDS))
        if unknown:
            raise SpecError("spec: unknown field(s) %s; allowed: %s" % (", ".join(unknown), ", ".join(FIELDS)))
        for req in ("block", "layers"):
            if req not in spec:
                raise SpecError("spec: missing required field %r" % req)
        full = dict(DEFAULTS)
        full.update(spec)
        if "widths" not in spec and isinstance(full["layers"], list) and len(full["layers"]) != 4:
            raise SpecError("widths: required when layers has %d stages (the default has 4)" % len(full["layers"]))
        full = {k: full[k] for k in FIELDS}
    if num_classes is not None:
        full["num_classes"] = num_classes
    if in_channels is not None:
        full["in_channels"] = in_channels
    _validate(full)
    full["layers"] = list(full["layers"])
    full["widths"] = list(full["widths"])
    return full


def _validate(s):
    if s["block"] not in BLOCKS:
        raise SpecError("block: %r; allowed: basic, bottleneck" % (s["block"],))
    for name in ("layers", "widths"):
        v = s[name]
        if not isinstance(v, list) or not v or not all(_is_int(x) and x >= 1 for x in v):
            raise SpecError("%s: %r; allowed: a non-empty list of integers >= 1" % (name, v))
    if len(s["widths"]) != len(s["layers"]):
        raise SpecError("widths: %d entries but layers has %d; allowed: one width per stage"
                        % (len(s["widths"]), len(s["layers"])))
    for name in ("groups", "width_per_group", "num_classes", "in_channels", "stem_width",
                 "stem_kernel", "stem_stride"):
        if not _is_int(s[name]) or s[name] < 1:
            raise SpecError("%s: %r; allowed: an integer >= 1" % (name, s[name]))
    if not isinstance(s["stem_pool"], bool):
        raise SpecError("stem_pool: %r; allowed: true, false" % (s["stem_pool"],))
    if s["block"] == "basic" and (s["groups"] != 1 or s["width_per_group"] != 64):
        raise SpecError("groups/width_per_group: %d/%d; allowed for block basic: 1/64 (torchvision BasicBlock)"
                        % (s["groups"], s["width_per_group"]))
    if s["block"] == "bottleneck":
        # torchvision Bottleneck: width = int(planes * (width_per_group / 64.0)) * groups
        for w in s["widths"]:
            if int(w * (s["width_per_group"] / 64.0)) < 1:
                raise SpecError("widths/width_per_group: stage width %d with width_per_group %d gives a "
                                "bottleneck width int(%d * %d / 64) * groups = 0; allowed: "
                                "width * width_per_group >= 64" % (w, s["width_per_group"], w, s["width_per_group"]))


def matching_preset(spec):
    """The preset name whose structure equals spec (ignoring num_classes / in_channels), or None."""
    for name in PRESETS:
        p = preset_spec(name)
        if all(spec[k] == p[k] for k in FIELDS if k not in ("num_classes", "in_channels")):
            return name
    return None


class GeneralResNet(ResNet):
    """torchvision's ResNet with a configurable stem and any number of stages (layer1..layerK).

    Reuses torchvision's BasicBlock / Bottleneck and ResNet._make_layer; stage i uses
    planes=widths[i], stride 1 for the first stage and 2 for the others."""

    def __init__(self, block, layers, widths, num_classes=1000, groups=1, width_per_group=64,
                 in_channels=3, stem_width=64, stem_kernel=7, stem_stride=2, stem_pool=True):
        nn.Module.__init__(self)  # not ResNet.__init__: it hard-codes the four 64..512 stages
        norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = stem_width
        self.dilation = 1
        self.groups = groups
        self.base_width = width_per_group
        self.num_stages = len(layers)
        self.conv1 = nn.Conv2d(in_channels, stem_width, kernel_size=stem_kernel, stride=stem_stride,
                               padding=stem_kernel // 2, bias=False)
        self.bn1 = norm_layer(stem_width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1) if stem_pool else nn.Identity()
        for i, (planes, blocks) in enumerate(zip(widths, layers)):
            setattr(self, "layer%d" % (i + 1),
                    self._make_layer(block, planes, blocks, stride=1 if i == 0 else 2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[-1] * block.expansion, num_classes)
        for m in self.modules():  # torchvision's own initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _forward_impl(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(1, self.num_stages + 1):
            x = getattr(self, "layer%d" % i)(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


class QuantizableGeneralResNet(GeneralResNet):
    """GeneralResNet as torchvision's QuantizableResNet makes ResNet quantizable: QuantStub before,
    DeQuantStub after, and the same fuse_model (conv1+bn1+relu, then each block's own)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.quant = torch.ao.quantization.QuantStub()
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self._forward_impl(self.quant(x)))

    fuse_model = QuantizableResNet.fuse_model


def build_model(arch=None, spec=None, num_classes=None, in_channels=None, quantizable=False):
    """A torchvision ResNet (eval mode, torchvision's default init) for a preset name or a spec
    (dict or JSON path); quantizable=True gives the float model torchvision's quantization starts
    from. See the module docstring for which construction is used."""
    s = resolve_spec(arch, spec, num_classes, in_channels)
    block = BLOCKS[s["block"]]
    default_stem = all(s[k] == DEFAULTS[k] for k in _STEM_FIELDS)
    preset = matching_preset(s)
    if quantizable:
        block = QUANTIZABLE_BLOCKS[s["block"]]
        if default_stem and len(s["layers"]) == 4:
            model = QuantizableResNet(block, s["layers"], num_classes=s["num_classes"], groups=s["groups"],
                                      width_per_group=s["width_per_group"])
            how = "quantizable:torchvision.models.quantization.QuantizableResNet"
        else:
            model = QuantizableGeneralResNet(block, s["layers"], s["widths"], num_classes=s["num_classes"],
                                             groups=s["groups"], width_per_group=s["width_per_group"],
                                             in_channels=s["in_channels"], stem_width=s["stem_width"],
                                             stem_kernel=s["stem_kernel"], stem_stride=s["stem_stride"],
                                             stem_pool=s["stem_pool"])
            how = "quantizable-general:resnet_torch.QuantizableGeneralResNet"
    elif preset is not None:
        builder = getattr(torchvision.models, preset)
        model = builder(weights=None, num_classes=s["num_classes"])
        how = "builder:torchvision.models.%s" % preset
    elif default_stem and len(s["layers"]) == 4:
        model = ResNet(block, s["layers"], num_classes=s["num_classes"], groups=s["groups"],
                       width_per_group=s["width_per_group"])
        how = "resnet:torchvision.models.resnet.ResNet"
    else:
        model = GeneralResNet(block, s["layers"], s["widths"], num_classes=s["num_classes"],
                              groups=s["groups"], width_per_group=s["width_per_group"],
                              in_channels=s["in_channels"], stem_width=s["stem_width"],
                              stem_kernel=s["stem_kernel"], stem_stride=s["stem_stride"],
                              stem_pool=s["stem_pool"])
        how = "general:resnet_torch.GeneralResNet"
    if not how.startswith(("general", "quantizable-general")) and s["in_channels"] != 3:
        old = model.conv1
        model.conv1 = nn.Conv2d(s["in_channels"], old.out_channels, kernel_size=old.kernel_size,
                                stride=old.stride, padding=old.padding, bias=False)
        nn.init.kaiming_normal_(model.conv1.weight, mode="fan_out", nonlinearity="relu")
    if quantizable:
        _replace_relu(model)  # as torchvision's quantization builders do: fusion needs plain ReLU modules
    model.resnet4j_spec = s
    model.resnet4j_construction = how
    return model.eval()


def construction(model):
    """How build_model made this model, e.g. 'builder:torchvision.models.resnet50'."""
    return getattr(model, "resnet4j_construction", "unknown")


def _residual_last_convs(model):
    """The last conv of every residual branch (BasicBlock.conv2, Bottleneck.conv3)."""
    last = set()
    for m in model.modules():
        if isinstance(m, BasicBlock):
            last.add(m.conv2)
        elif isinstance(m, Bottleneck):
            last.add(m.conv3)
    return last


@torch.no_grad()
def randomize(model, seed):
    """Overwrite every parameter and BatchNorm buffer with seeded random values; returns the model
    in eval mode. Deterministic for a given seed, torch version and architecture.

      Conv2d weight: normal * sqrt(2 / fan_in)  (kaiming normal, fan_in = in/groups * kh * kw);
                     the last conv of each residual branch is further scaled by 1/sqrt(#blocks),
                     so the residual sum grows by at most ~e over the whole net (resnet152's
                     50 blocks would otherwise compound to ~2**25 in scale).
      Conv2d bias (none in ResNet): normal * 0.1
      BatchNorm2d:   weight uniform(0.5, 1.5), bias normal * 0.1,
                     running_mean normal * 0.1, running_var uniform(0.5, 2.0),
                     num_batches_tracked random int in [0, 100000)
      Linear:        weight normal / sqrt(in_features), bias normal * 0.1
    Any other parameter or buffer is an error (nothing may keep a default value)."""
    g = torch.Generator().manual_seed(int(seed))
    last_convs = _residual_last_convs(model)
    n_blocks = max(1, len(last_convs))
    touched = set()
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            fan_in = m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3]
            std = math.sqrt(2.0 / fan_in)
            if m in last_convs:
                std /= math.sqrt(n_blocks)
            m.weight.normal_(0.0, std, generator=g)
            touched.add(id(m.weight))
            if m.bias is not None:
                m.bias.normal_(0.0, 0.1, generator=g)
                touched.add(id(m.bias))
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5, generator=g)
            m.bias.normal_(0.0, 0.1, generator=g)
            m.running_mean.normal_(0.0, 0.1, generator=g)
            m.running_var.uniform_(0.5, 2.0, generator=g)
            m.num_batches_tracked.random_(0, 100000, generator=g)
            for t in (m.weight, m.bias, m.running_mean, m.running_var, m.num_batches_tracked):
                touched.add(id(t))
        elif isinstance(m, nn.Linear):
            m.weight.normal_(0.0, 1.0 / math.sqrt(m.in_features), generator=g)
            touched.add(id(m.weight))
            if m.bias is not None:
                m.bias.normal_(0.0, 0.1, generator=g)
                touched.add(id(m.bias))
    missed = [k for k, t in list(model.named_parameters()) + list(model.named_buffers()) if id(t) not in touched]
    if missed:
        raise RuntimeError("randomize: left at their defaults: %s" % ", ".join(missed))
    return model.eval()


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Print the resolved spec, construction path, parameter count "
                                             "and state_dict keys of a resnet4j spec (a helper for the other tools).")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--arch", choices=list(PRESETS), metavar="NAME", help="torchvision preset: " + ", ".join(PRESETS))
    src.add_argument("--spec", metavar="FILE.json", help="a block spec JSON file")
    ap.add_argument("--num-classes", type=int, metavar="N", help="override the spec's num_classes")
    ap.add_argument("--in-channels", type=int, metavar="N", help="override the spec's in_channels")
    ap.add_argument("--keys", action="store_true", help="also list state_dict keys and shapes")
    a = ap.parse_args()
    torch.set_num_threads(2)
    try:
        m = build_model(a.arch, a.spec, a.num_classes, a.in_channels)
    except SpecError as e:
        ap.exit(1, "error: %s\n" % e)
    print(json.dumps(m.resnet4j_spec))
    print("construction:", construction(m))
    print("parameters:", sum(p.numel() for p in m.parameters()))
    if a.keys:
        for k, v in m.state_dict().items():
            print(k, list(v.shape), str(v.dtype).replace("torch.", ""))
