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
