using Loom.Core;
using Loom.Models.Layers;
using Loom.Privacy;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Privacy;

/// <summary>Per-example gradients from the hooks equal the gradients of a loop that runs backward on each example alone.</summary>
public class PerSampleGradientsTests
{
    internal const int Batch = 5;

    /// <summary>A per-example loss that is not linear in the output: Σ (tanh(out) − target)².</summary>
    private static Tensor PerExampleLoss(Tensor output, Tensor target) =>
        (output.tanh() - target).pow(2).reshape(output.shape[0], -1).sum(1);

    internal static void AssertMatchesTheLoop(nn.Module<Tensor, Tensor> model, Tensor inputs)
    {
        var output = model.call(inputs).detach();
        var target = torch.randn(output.shape, dtype: output.dtype, generator: new Generator(9));
        var named = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var parameters = named.Select(p => p.parameter).ToList();
        using var hooks = new PerSampleGradients(model);
        model.zero_grad();
        PerExampleLoss(model.call(inputs), target).sum().backward();
        var perExample = hooks.Gradients();
        Assert.Equal(Batch, hooks.BatchSize);
        Assert.Equal(parameters.Count, perExample.Count);
        var norms = hooks.SquaredNorms();
        var weights = torch.linspace(0.2, 1.4, Batch, dtype: ScalarType.Float64);
        var weighted = hooks.WeightedSum(weights);
        foreach (var p in parameters)
        {
            long[] shape = [Batch, .. Enumerable.Repeat(1L, (int)p.dim())];
            var expected = (perExample[p] * weights.to(p.dtype).reshape(shape)).sum(0L);
            Assert.True((weighted[p] - expected).abs().max().ToDouble() < 1e-5, $"weighted sum of {string.Join('x', p.shape)}");
        }
        var loopNorms = new double[Batch];
        hooks.Clear();
        for (int i = 0; i < Batch; i++)
        {
            model.zero_grad();
            PerExampleLoss(model.call(inputs[i..(i + 1)]), target[i..(i + 1)]).sum().backward();
            foreach (var (name, p) in named)
            {
                var expected = p.grad!;
                var actual = perExample[p][i];
                Assert.Equal(expected.shape, actual.shape);
                double error = (actual - expected).abs().max().ToDouble();
                Assert.True(error < 1e-5, $"parameter {name}, example {i}: off by {error}");
                loopNorms[i] += expected.pow(2).sum().ToDouble();
            }
        }
        for (int i = 0; i < Batch; i++)
            Assert.True(Math.Abs(norms[i].ToDouble() - loopNorms[i]) < 1e-5 * Math.Max(1, loopNorms[i]), $"norm² of example {i}");
    }

    private static Tensor Randn(params long[] shape) => torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator(3));

    [Fact]
    public void Linear() => AssertMatchesTheLoop(Seeded(() => nn.Linear(4, 3)), Randn(Batch, 4));

    [Fact]
    public void LinearOverASequence() => AssertMatchesTheLoop(Seeded(() => nn.Linear(4, 3)), Randn(Batch, 6, 4));

    /// <summary>Few rows per example and a wide layer: the norms take the Gram form Σ_ts (g_t·g_s)(x_t·x_s).</summary>
    [Fact]
    public void LinearOverAShortSequence() => AssertMatchesTheLoop(Seeded(() => nn.Linear(8, 6)), Randn(Batch, 3, 8));

    [Fact]
    public void Conv2dWithStridePaddingDilationAndGroups() =>
        AssertMatchesTheLoop(Seeded(() => nn.Conv2d(4, 6, 3, stride: 2, padding: 1, dilation: 2, groups: 2)), Randn(Batch, 4, 9, 9));

    [Fact]
    public void ConvTranspose2dLayerDoublingTheSize() =>
        AssertMatchesTheLoop(Seeded(() => new ConvTranspose2dLayer(3, 2, 4, stride: 2, padding: 1)), Randn(Batch, 3, 5, 4));

    [Fact]
    public void ConvTranspose2dLayerWithOutputPaddingAndNoBias() =>
        AssertMatchesTheLoop(Seeded(() => new ConvTranspose2dLayer(2, 3, 3, stride: 2, padding: 1, outputPadding: 1, bias: false)),
            Randn(Batch, 2, 4, 4));

    [Fact]
    public void Conv2dLayerWithReflectPadding() =>
        AssertMatchesTheLoop(Seeded(() => new Conv2dLayer(2, 3, 3, stride: 2, padding: 1, paddingMode: PaddingModes.Reflect)),
            Randn(Batch, 2, 8, 8));

    [Fact]
    public void Embedding()
    {
        var ids = torch.randint(0, 7, [Batch, 6], generator: new Generator(4));
        AssertMatchesTheLoop(Seeded(() => nn.Sequential(nn.Embedding(7, 3), nn.Linear(3, 2))), ids);
    }

    [Fact]
    public void LayerNorm() => AssertMatchesTheLoop(Seeded(() => nn.Sequential(nn.Linear(4, 5), nn.LayerNorm(5))), Randn(Batch, 3, 4));

    [Fact]
    public void GroupNorm() => AssertMatchesTheLoop(Seeded(() => nn.GroupNorm(2, 4)), Randn(Batch, 4, 3, 3));

    [Fact]
    public void SmallMlp() => AssertMatchesTheLoop(
        Seeded(() => nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.SiLU(), nn.Linear(8, 3))), Randn(Batch, 6));

    [Fact]
    public void SmallCnn() => AssertMatchesTheLoop(
        Seeded(() => nn.Sequential(nn.Conv2d(1, 4, 3, padding: 1), nn.ReLU(), nn.GroupNorm(2, 4), new Conv2dLayer(4, 4, 4, 2, 1),
            nn.SiLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))),
        Randn(Batch, 1, 8, 8));

    [Fact]
    public void ALayerUsedTwiceAddsItsCalls()
    {
        var shared = Seeded(() => nn.Linear(3, 3));
        AssertMatchesTheLoop(new Twice(shared), Randn(Batch, 3));
    }

    [Fact]
    public void BatchNormIsRefusedByName()
    {
        var model = Seeded(() => nn.Sequential(("fc", nn.Linear(4, 4)), ("bn", nn.BatchNorm1d(4))));
        var error = Assert.Throws<LoomUsageException>(() => new PerSampleGradients(model));
        Assert.Contains("'bn'", error.Message);
        Assert.Contains("BatchNorm1d", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void FrozenUnsupportedLayersAreFine()
    {
        var model = Seeded(() => nn.Sequential(("fc", nn.Linear(4, 4)), ("bn", nn.BatchNorm1d(4))));
        var linear = model.named_parameters().Where(p => p.name.StartsWith("fc.", StringComparison.Ordinal)).Select(p => p.parameter);
        using var hooks = new PerSampleGradients(model, linear);
        Assert.Equal(0, hooks.BatchSize);
    }

    internal static T Seeded<T>(Func<T> create) where T : nn.Module
    {
        torch.manual_seed(11);
        var module = create();
        module.to(ScalarType.Float64);
        return module;
    }

    private sealed class Twice : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;

        public Twice(nn.Module<Tensor, Tensor> inner) : base("twice")
        {
            this.inner = inner;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => inner.call(inner.call(input).tanh());
    }
}
