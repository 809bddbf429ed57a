"""Golden cases for chains of ops (blocks of real networks), FX-mode models and the examples."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.ao.nn.quantized import FloatFunctional
from torch.ao.quantization import DeQuantStub, QuantStub

import make_examples
import quant_helpers as qh
from golden_cases import _calib, case

# --- chains -----------------------------------------------------------------------------------


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.quant = QuantStub()
        self.conv1, self.bn1, self.relu1 = nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU()
        self.conv2, self.bn2 = nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c)
        self.skip = FloatFunctional()
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        y = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.dequant(self.skip.add_relu(y, x))


@case("residual_block", "ResNet basic block: conv-bn-relu, conv-bn, add_relu with the identity; per-channel")
def residual_block(g):
    m = ResidualBlock(4)
    make_examples._randomize_bn(m.bn1, g)
    make_examples._randomize_bn(m.bn2, g)
    fuse = [["conv1", "bn1", "relu1"], ["conv2", "bn2"]]
    model = qh.eager(m, _calib(g, (2, 4, 6, 6), -2.0, 2.0), qh.qconfig(per_channel=True), fuse)
    return model, (qh.spread(g, (1, 4, 6, 6), -2.0, 2.0),)


class InvertedResidual(nn.Module):
    def __init__(self, c, expand):
        super().__init__()
        h = c * expand
        self.quant = QuantStub()
        self.expand = nn.Sequential(nn.Conv2d(c, h, 1), nn.ReLU())
        self.dw = nn.Sequential(nn.Conv2d(h, h, 3, padding=1, groups=h), nn.ReLU())
        self.project = nn.Conv2d(h, c, 1)
        self.skip = FloatFunctional()
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        return self.dequant(self.skip.add(x, self.project(self.dw(self.expand(x)))))


@case("inverted_residual", "MobileNetV2 block: 1x1 expand + relu, depthwise 3x3 + relu, 1x1 project, add")
def inverted_residual(g):
    fuse = [["expand.0", "expand.1"], ["dw.0", "dw.1"]]
    model = qh.eager(InvertedResidual(3, 4), _calib(g, (2, 3, 5, 5), -2.0, 2.0), qh.qconfig(per_channel=True), fuse)
    return model, (qh.spread(g, (1, 3, 5, 5), -2.0, 2.0),)


class SqueezeExcite(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.quant = QuantStub()
        self.conv = nn.Conv2d(3, c, 3, padding=1)
        self.hswish = nn.Hardswish()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.relu, self.fc2 = nn.Conv2d(c, r, 1), nn.ReLU(), nn.Conv2d(r, c, 1)
        self.gate = nn.Hardsigmoid()
        self.scale = FloatFunctional()
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.hswish(self.conv(self.quant(x)))
        s = self.gate(self.fc2(self.relu(self.fc1(self.pool(x)))))
        return self.dequant(self.scale.mul(s, x))


@case("squeeze_excite", "MobileNetV3 pieces: conv, hardswish, then squeeze-excitation (adaptive pool, 1x1 conv "
      "+ relu, 1x1 conv, hardsigmoid, mul)")
def squeeze_excite(g):
    model = qh.eager(SqueezeExcite(6, 3), _calib(g, (2, 3, 5, 5), -2.0, 2.0), qh.qconfig(per_channel=True),
                     [["fc1", "relu"]])
    return model, (qh.spread(g, (1, 3, 5, 5), -2.0, 2.0),)


class ShuffleUnit(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c // 2
        self.quant = QuantStub()
        self.branch = nn.Sequential(nn.Conv2d(h, h, 1), nn.ReLU(), nn.Conv2d(h, h, 3, padding=1, groups=h),
                                    nn.Conv2d(h, h, 1), nn.ReLU())
        self.cat = FloatFunctional()
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        a, b = x.chunk(2, dim=1)
        y = self.cat.cat([a, self.branch(b)], dim=1)
        n, c, h, w = y.size()
        y = y.view(n, 2, c // 2, h, w).transpose(1, 2).contiguous().view(n, c, h, w)
        return self.dequant(y)


@case("shuffle_unit", "ShuffleNetV2 unit: chunk, branch (1x1 conv relu, depthwise, 1x1 conv relu), cat, "
      "channel shuffle")
def shuffle_unit(g):
    fuse = [["branch.0", "branch.1"], ["branch.3", "branch.4"]]
    model = qh.eager(ShuffleUnit(6), _calib(g, (2, 6, 4, 4), -2.0, 2.0), qh.qconfig(per_channel=True), fuse)
    return model, (qh.spread(g, (1, 6, 4, 4), -2.0, 2.0),)


class InceptionModule(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.quant = QuantStub()
        self.b1 = nn.Sequential(nn.Conv2d(c, 2, 1), nn.ReLU())
        self.b2 = nn.Sequential(nn.Conv2d(c, 2, 1), nn.ReLU(), nn.Conv2d(2, 3, 3, padding=1), nn.ReLU())
        self.b3 = nn.Sequential(nn.Conv2d(c, 2, 1), nn.ReLU(), nn.Conv2d(2, 2, 5, padding=2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), nn.Conv2d(c, 2, 1), nn.ReLU())
        self.cat = FloatFunctional()
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        return self.dequant(self.cat.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], dim=1))


@case("inception_module", "GoogLeNet/Inception module: four branches with different output parameters, "
      "concatenated (requantized)")
def inception_module(g):
    fuse = [["b1.0", "b1.1"], ["b2.0", "b2.1"], ["b2.2", "b2.3"], ["b3.0", "b3.1"], ["b4.1", "b4.2"]]
    model = qh.eager(InceptionModule(3), _calib(g, (2, 3, 5, 5), -2.0, 2.0), qh.qconfig(per_channel=True), fuse)
    return model, (qh.spread(g, (1, 3, 5, 5), -2.0, 2.0),)


class ConvPoolLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv, self.relu = nn.Conv2d(2, 4, 3, padding=1), nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(4 * 3 * 3, 5)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.pool(self.relu(self.conv(self.quant(x))))
        return self.dequant(self.fc(torch.flatten(x, 1)))


@case("conv_pool_linear", "a small classifier: conv + relu, max_pool2d, flatten, linear")
def conv_pool_linear(g):
    model = qh.eager(ConvPoolLinear(), _calib(g, (2, 2, 6, 6), -2.0, 2.0), qh.qconfig(per_channel=True),
                     [["conv", "relu"]])
    return model, (qh.spread(g, (2, 2, 6, 6), -2.0, 2.0),)


class TwoInTwoOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.qimg, self.qvec = QuantStub(), QuantStub()
        self.conv = nn.Conv2d(2, 8, 3)
        self.fc = nn.Linear(6, 8)
        self.add = FloatFunctional()
        self.dequant = DeQuantStub()

    def forward(self, image, features):
        c = self.conv(self.qimg(image))
        f = self.fc(self.qvec(features))
        return self.dequant(c), self.dequant(self.add.add(torch.flatten(F.adaptive_avg_pool2d(c, 1), 1), f))


@case("two_inputs_two_outputs", "graph inputs named after forward()'s parameters (image, features), two outputs")
def two_inputs_two_outputs(g):
    calib = [(qh.uniform(g, (1, 2, 5, 5), -1.0, 1.0), qh.uniform(g, (1, 6), -1.0, 1.0)) for _ in range(3)]
    model = qh.eager(TwoInTwoOut(), calib, qh.qconfig(per_channel=True))
    return model, (qh.spread(g, (1, 2, 5, 5), -1.0, 1.0), qh.spread(g, (1, 6), -1.0, 1.0))


# --- FX mode ----------------------------------------------------------------------------------


class FxNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.bn = nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6)
        self.c2 = nn.Conv2d(6, 6, 3, padding=1)
        self.hs = nn.Hardswish()
        self.fc = nn.Linear(12 * 2 * 2, 6)

    def forward(self, x):
        a = F.relu(self.bn(self.c1(x)))
        b = self.c2(a) + a
        b = torch.cat([b, a], 1)
        b = F.max_pool2d(self.hs(b), 2)
        b = F.adaptive_avg_pool2d(b, 2)
        return self.fc(b.reshape(b.shape[0], -1)), torch.sigmoid(b)


@case("fx_conv_add_cat", "FX mode (prepare_fx/convert_fx): conv-bn-relu, conv, +, cat, hardswish, max_pool2d, "
      "adaptive_avg_pool2d, reshape, linear, sigmoid; two outputs", source="fx")
def fx_conv_add_cat(g):
    m = FxNet()
    make_examples._randomize_bn(m.bn, g)
    example = (qh.uniform(g, (2, 3, 8, 8), -2.0, 2.0),)
    model = qh.fx(m, example, _calib(g, (2, 3, 8, 8), -2.0, 2.0), qh.qconfig(per_channel=True))
    return model, (qh.spread(g, (2, 3, 8, 8), -2.0, 2.0),)


class FxFunctional(nn.Module):
    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(4, 3, 3, 3) * 0.3)
        self.b1 = nn.Parameter(torch.randn(4) * 0.1)
        self.w2 = nn.Parameter(torch.randn(5, 4 * 3 * 3) * 0.2)
        self.b2 = nn.Parameter(torch.randn(5) * 0.1)

    def forward(self, x):
        y = F.relu(F.conv2d(x, self.w1, self.b1, [2, 2], [1, 1], [1, 1], 1))  # convert_fx needs them all, as lists
        return F.linear(torch.flatten(y, 1), self.w2, self.b2)


@case("fx_functional", "FX mode with functional F.conv2d + relu and F.linear (torch.ops.quantized.conv2d_relu / "
      "linear with packed weights)", source="fx")
def fx_functional(g):
    torch.manual_seed(int(torch.randint(0, 2**31, (1,), generator=g)))
    example = (qh.uniform(g, (1, 3, 6, 6), -2.0, 2.0),)
    model = qh.fx(FxFunctional(), example, _calib(g, (2, 3, 6, 6), -2.0, 2.0), qh.qconfig(per_channel=False))
    return model, (qh.spread(g, (2, 3, 6, 6), -2.0, 2.0),)


class TransformInput(nn.Module):
    """Inception/GoogLeNet's transform_input: float slicing, scalar mul/add, cat."""

    def forward(self, x):
        x0 = torch.unsqueeze(x[:, 0], 1) * (0.229 / 0.5) + (0.485 - 0.5) / 0.5
        x1 = torch.unsqueeze(x[:, 1], 1) * (0.224 / 0.5) + (0.456 - 0.5) / 0.5
        x2 = torch.unsqueeze(x[:, 2], 1) * (0.225 / 0.5) + (0.406 - 0.5) / 0.5
        return torch.cat((x0, x1, x2), 1)


class FxTransformInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.pre = TransformInput()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return self.conv(self.pre(x))


@case("fx_transform_input", "FX mode; float preprocessing before quantize as in torchvision's transform_input "
      "(qconfig None for it): x[:, i] (split + reshape), unsqueeze (reshape), mul and add by f32 scalars, cat",
      source="fx")
def fx_transform_input(g):
    example = (qh.uniform(g, (1, 3, 5, 5), -2.0, 2.0),)
    model = qh.fx(FxTransformInput(), example, _calib(g, (2, 3, 5, 5), -2.0, 2.0), float_modules=["pre"])
    return model, (qh.spread(g, (1, 3, 5, 5), -2.0, 2.0),)


# --- the examples -----------------------------------------------------------------------------


def _example(name):
    def build(g):
        model, inputs, comment = make_examples.EXAMPLES[name]()
        return model, inputs, comment

    return build


for _name, _desc in [
    ("tutorial_conv_relu", "examples/tutorial_conv_relu.qg: PyTorch tutorial's 1x1 conv + relu"),
    ("conv_bn_relu_x3", "examples/conv_bn_relu_x3.qg: three conv-bn-relu, per-channel, output zero point 111"),
    ("hardtanh_saturating", "examples/hardtanh_saturating.qg: conv, relu, hardtanh(0, 6) with 6/s + zp > 255"),
    ("two_linear", "examples/two_linear.qg: two linear layers with different scales and zero points"),
]:
    case(f"example_{_name}", _desc)(_example(_name))
