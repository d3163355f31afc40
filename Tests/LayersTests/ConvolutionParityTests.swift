import Foundation
import Layers
import Tensors
import Testing

/// conv2d, batch norm and the convolutional stem against PyTorch: outputs, input and parameter
/// gradients, and running statistics, to 1e-5 relative (fixtures from
/// Tests/Fixtures/make_conv_fixtures.py).
@Suite struct ConvolutionParityTests {
    let rtol: Float = 1e-5

    @Test(arguments: ["conv2d_bias", "conv2d_nobias", "conv2d_stride3", "conv2d_1x1"])
    func conv2dMatchesPyTorch(_ name: String) throws {
        let fx = try TorchFixture(name)
        let x = try fx.tensor("input.x", requiresGrad: true)
        let weight = try fx.tensor("param.weight", requiresGrad: true)
        let bias = fx.bool("bias") ? try fx.tensor("param.bias", requiresGrad: true) : nil
        let out = Tensor.conv2d(x, weight: weight, bias: bias, stride: fx.int("stride"), padding: fx.int("padding"))
        #expect(out.shape == (try fx.tensor("output")).shape)
        expectClose(out, try fx.tensor("output"), rtol: rtol, "output")
        (out * (try fx.tensor("input.R"))).sum().backward()
        expectClose(x.grad, try fx.tensor("grad.input.x"), rtol: rtol, "grad of x")
        expectClose(weight.grad, try fx.tensor("grad.param.weight"), rtol: rtol, "grad of weight")
        if let bias { expectClose(bias.grad, try fx.tensor("grad.param.bias"), rtol: rtol, "grad of bias") }
    }

    @Test func conv2dModuleLoadsPyTorchNamesAndMatches() throws {
        let fx = try TorchFixture("conv2d_bias")
        var g = RandomGenerator(seed: 1)
        let conv = Conv2d(3, 4, kernelSize: 3, stride: 2, padding: 1, generator: &g)
        #expect(conv.namedParameters.map(\.name) == ["weight", "bias"])
        try conv.load(fx.parameters())
        let x = try fx.tensor("input.x", requiresGrad: true)
        let out = conv(x)
        #expect(conv.outputSize(height: 7, width: 9) == (4, 5) && out.shape == [2, 4, 4, 5])
        expectClose(out, try fx.tensor("output"), rtol: rtol, "output")
        (out * (try fx.tensor("input.R"))).sum().backward()
        expectClose(x.grad, try fx.tensor("grad.input.x"), rtol: rtol, "grad of x")
        for (name, p) in conv.namedParameters {
            expectClose(p.grad, try fx.tensor("grad.param." + name), rtol: rtol, "grad of \(name)")
        }
    }

    @Test func batchNormTrainingAndEvaluationMatchPyTorch() throws {
        let fx = try TorchFixture("batchnorm2d")
        let bn = BatchNorm2d(3)
        #expect(bn.namedParameters.map(\.name) == ["weight", "bias"])
        #expect(bn.namedBuffers.map(\.name) == ["running_mean", "running_var"])
        try bn.load(fx.parameters())

        // Training step 1: batch statistics, gradients through them.
        let x1 = try fx.tensor("input.x1", requiresGrad: true)
        let y1 = bn(x1)
        expectClose(y1, try fx.tensor("output.train1"), rtol: rtol, "train output 1")
        (y1 * (try fx.tensor("input.R1"))).sum().backward()
        expectClose(x1.grad, try fx.tensor("grad.input.x1"), rtol: rtol, "train grad of x")
        expectClose(bn.weight.grad, try fx.tensor("grad.param.weight"), rtol: rtol, "train grad of weight")
        expectClose(bn.bias.grad, try fx.tensor("grad.param.bias"), rtol: rtol, "train grad of bias")

        // Step 2 without gradients still updates the running statistics, as PyTorch's no_grad does.
        let y2 = withoutGradients { bn(try! fx.tensor("input.x2")) }
        expectClose(y2, try fx.tensor("output.train2"), rtol: rtol, "train output 2")
        expectClose(bn.runningMean, try fx.tensor("after.running_mean"), rtol: rtol, "running mean after two steps")
        expectClose(bn.runningVar, try fx.tensor("after.running_var"), rtol: rtol, "running var after two steps")

        // Evaluation: running statistics, which then stay put.
        bn.setTraining(false)
        bn.zeroGrad()
        let x3 = try fx.tensor("input.x3", requiresGrad: true)
        let y3 = bn(x3)
        expectClose(y3, try fx.tensor("output.eval"), rtol: rtol, "eval output")
        (y3 * (try fx.tensor("input.R3"))).sum().backward()
        expectClose(x3.grad, try fx.tensor("grad.eval.input.x3"), rtol: rtol, "eval grad of x")
        expectClose(bn.weight.grad, try fx.tensor("grad.eval.param.weight"), rtol: rtol, "eval grad of weight")
        expectClose(bn.bias.grad, try fx.tensor("grad.eval.param.bias"), rtol: rtol, "eval grad of bias")
        expectClose(bn.runningMean, try fx.tensor("after.running_mean"), rtol: rtol, "running mean unchanged in eval")
    }

    @Test func convStemMatchesPyTorchSequential() throws {
        let fx = try TorchFixture("conv_stem")
        let config = ConvStemConfig(channels: (fx.config["channels"] as! [NSNumber]).map(\.intValue),
                                    strides: (fx.config["strides"] as! [NSNumber]).map(\.intValue))
        var g = RandomGenerator(seed: 1)
        let stem = ConvStem(config, inChannels: fx.int("in_channels"), generator: &g)
        let expected = try fx.parameters()
        #expect(Set(stem.stateDict.keys) == Set(expected.keys))
        try stem.load(expected)
        let x = try fx.tensor("input.x", requiresGrad: true)
        let out = stem(x)
        let size = config.outputSize(channels: 3, height: 9, width: 8)
        #expect(out.shape == [2, size.channels, size.height, size.width])
        expectClose(out, try fx.tensor("output"), rtol: rtol, "output")
        (out * (try fx.tensor("input.R"))).sum().backward()
        expectClose(x.grad, try fx.tensor("grad.input.x"), rtol: rtol, "grad of x")
        for (name, p) in stem.namedParameters {
            expectClose(p.grad, try fx.tensor("grad.param." + name), rtol: rtol, "grad of \(name)")
        }
        for (name, b) in stem.namedBuffers { expectClose(b, try fx.tensor("after." + name), rtol: rtol, name) }
        stem.setTraining(false)
        expectClose(withoutGradients { stem(x) }, try fx.tensor("output.eval"), rtol: rtol, "eval output")
    }

    /// A batch big enough to be split across cores gives what each image gives alone.
    @Test func batchedConvolutionEqualsOneImageAtATime() throws {
        var g = RandomGenerator(seed: 7)
        let x = Tensor.randn([12, 4, 28, 28], generator: &g, requiresGrad: true)
        let weight = Tensor.randn([32, 4, 3, 3], std: 0.2, generator: &g, requiresGrad: true)
        let bias = Tensor.randn([32], generator: &g, requiresGrad: true)
        let out = Tensor.conv2d(x, weight: weight, bias: bias, stride: 2, padding: 1)
        let r = Tensor.randn(out.shape, generator: &g)
        (out * r).sum().backward()
        let wGrad = weight.grad!.copy(), bGrad = bias.grad!.copy(), xGrad = x.grad!.copy()
        weight.zeroGrad(); bias.zeroGrad()
        let per = out.count / 12
        for i in 0..<12 {
            let xi = x.slice(axis: 0, i..<(i + 1)).detached()
            xi.requiresGrad = true
            let oi = Tensor.conv2d(xi, weight: weight, bias: bias, stride: 2, padding: 1)
            expectClose(oi, Tensor(Array(out.scalars[(i * per)..<((i + 1) * per)]), shape: oi.shape), rtol: rtol, "image \(i)")
            (oi * r.slice(axis: 0, i..<(i + 1))).sum().backward()
            let xs = xGrad.scalars[(i * xi.count)..<((i + 1) * xi.count)]
            expectClose(xi.grad, Tensor(Array(xs), shape: xi.shape), rtol: rtol, "grad of image \(i)")
        }
        expectClose(weight.grad, wGrad, rtol: 1e-4, "grad of weight")
        expectClose(bias.grad, bGrad, rtol: 1e-4, "grad of bias")
    }

    @Test func conv2dInitializationFollowsPyTorchBounds() {
        var g = RandomGenerator(seed: 3)
        let conv = Conv2d(8, 16, kernelSize: 3, generator: &g)
        let bound = 1 / Float(8 * 9).squareRoot()
        let w = conv.weight.scalars.map(abs), b = conv.bias!.scalars.map(abs)
        #expect(w.max()! <= bound && w.max()! > 0.95 * bound)
        #expect(b.max()! <= bound && b.max()! > 0.5 * bound)
    }

    @Test func buffersAreSavedAndLoadedButNeverTrained() throws {
        var g = RandomGenerator(seed: 1)
        let stem = ConvStem(ConvStemConfig(channels: [4], strides: [2]), inChannels: 1, generator: &g)
        #expect(stem.namedParameters.map(\.name) == ["0.0.weight", "0.1.weight", "0.1.bias"])
        #expect(stem.namedBuffers.map(\.name) == ["0.1.running_mean", "0.1.running_var"])
        #expect(stem.stateDict.count == 5)
        var weights = stem.stateDict
        weights["0.1.running_var"] = nil
        #expect(throws: StateDictError.self) { try stem.load(weights) }
        weights["0.1.running_var"] = Tensor([1, 2, 3, 4], shape: [4])
        try stem.load(weights)
        #expect(stem.blocks[0].norm.runningVar.scalars == [1, 2, 3, 4])
    }
}
