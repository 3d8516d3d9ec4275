using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Training;

/// <summary>
/// Loom's tensor-written optimizer against libtorch's own (TorchSharp's <c>torch.optim</c>) on the same parameters and
/// gradients: AdamW's decoupled decay, and Adam's L2 penalty (<see cref="OptimizerOptions.CoupledWeightDecay"/>, what SDV's
/// CTGAN and TVAE train with).
/// </summary>
public sealed class OptimizerTests
{
    private const double Decay = 0.1;

    [Fact]
    public void CoupledWeightDecayMatchesTorchAdam()
    {
        var (loom, peer) = Run(new OptimizerOptions { LearningRate = 0.05, WeightDecay = Decay, CoupledWeightDecay = true },
            p => torch.optim.Adam(p, lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: Decay));
        Assert.True(loom.allclose(peer, rtol: 1e-5, atol: 1e-6), $"max |Δ| {(loom - peer).abs().max().item<float>()}");
    }

    [Fact]
    public void DefaultWeightDecayMatchesTorchAdamWAndDiffersFromAdam()
    {
        var options = new OptimizerOptions { LearningRate = 0.05, WeightDecay = Decay };
        var (loom, adamW) = Run(options, p => torch.optim.AdamW(p, lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: Decay));
        Assert.True(loom.allclose(adamW, rtol: 1e-5, atol: 1e-6), $"max |Δ| {(loom - adamW).abs().max().item<float>()}");
        var (_, adam) = Run(options, p => torch.optim.Adam(p, lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: Decay));
        Assert.False(loom.allclose(adam, rtol: 1e-5, atol: 1e-6));
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    public void The_flat_adamw_update_equals_the_per_parameter_one_and_resumes_exactly(bool matricesOnly, bool coupled, bool bfloat16)
    {
        var dtype = bfloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        var options = new OptimizerOptions
        {
            LearningRate = 0.05, WeightDecay = Decay, DecayMatricesOnly = matricesOnly, CoupledWeightDecay = coupled,
        };
        var x = torch.randn([32, 5], generator: new Generator(3)).to(dtype);
        var y = torch.randn([32, 2], generator: new Generator(4)).to(dtype);
        TorchSharp.Modules.Parameter[] Start() =>
        [
            new(torch.randn([5, 2], generator: new Generator(5)).to(dtype)), new(torch.randn([2], generator: new Generator(6)).to(dtype)),
        ];
        void Fit(Optimizer optimizer, IReadOnlyList<TorchSharp.Modules.Parameter> p, int steps)
        {
            for (int step = 0; step < steps; step++)
            {
                optimizer.ZeroGrad();
                (x.matmul(p[0]) + p[1] - y).square().mean().backward();
                optimizer.Step(options.LearningRate);
            }
        }
        var flat = Start();
        var single = Start();
        using (var a = new Optimizer(flat, options) { FlatUpdates = true }) Fit(a, flat, 8);
        using (var b = new Optimizer(single, options with { }) { FlatUpdates = false }) Fit(b, single, 8);
        for (int i = 0; i < 2; i++)
            Assert.True(flat[i].allclose(single[i], rtol: bfloat16 ? 1e-2 : 1e-6, atol: 1e-7), $"parameter {i}: max |Δ| "
                + $"{(flat[i] - single[i]).abs().max().to(ScalarType.Float32).item<float>()}");

        // Stopped after 3 steps and resumed from the captured state, the flat update continues exactly.
        var parts = Start();
        var state = new Dictionary<string, Tensor>();
        using (var first = new Optimizer(parts, options) { FlatUpdates = true })
        {
            Fit(first, parts, 3);
            first.CaptureState("o.", state);
        }
        using var second = new Optimizer(parts, options) { FlatUpdates = true };
        second.RestoreState("o.", state);
        Fit(second, parts, 5);
        for (int i = 0; i < 2; i++) Assert.True(parts[i].equal(flat[i]).all().item<bool>(), $"parameter {i} after resuming");
    }

    /// <summary>Eight steps of a least-squares fit from the same start, by Loom's optimizer and by the peer's.</summary>
    private static (Tensor Loom, Tensor Peer) Run(OptimizerOptions options,
        Func<IEnumerable<TorchSharp.Modules.Parameter>, torch.optim.Optimizer> peer)
    {
        var x = torch.randn([32, 5], generator: new Generator(3));
        var y = torch.randn([32, 2], generator: new Generator(4));
        var start = torch.randn([5, 2], generator: new Generator(5)) * 3;
        var ours = new TorchSharp.Modules.Parameter(start.clone());
        var theirs = new TorchSharp.Modules.Parameter(start.clone());
        using var optimizer = new Optimizer([ours], options);
        var reference = peer([theirs]);
        for (int step = 0; step < 8; step++)
        {
            optimizer.ZeroGrad();
            (x.matmul(ours) - y).square().mean().backward();
            optimizer.Step(options.LearningRate);
            reference.zero_grad();
            (x.matmul(theirs) - y).square().mean().backward();
            reference.step();
        }
        Assert.False(ours.allclose(start), "the parameters did not move");
        return (ours.detach(), theirs.detach());
    }
}
