using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// A deep belief net (Hinton, Osindero &amp; Teh 2006) of binary units: a stack of RBMs, layer l's hidden units the
/// visible units of layer l + 1. The top two layers form an undirected RBM; the layers below are directed, top-down
/// p(h_{l−1} | h_l) = σ(b_l + W_l h_l). Parameters are <c>layers.{l}.weight</c>, <c>layers.{l}.visible_bias</c>,
/// <c>layers.{l}.hidden_bias</c>.
/// </summary>
public sealed class DeepBeliefNet : nn.Module
{
    private readonly TorchSharp.Modules.ModuleList<RestrictedBoltzmannMachine> layers;

    /// <summary>Layers of sizes <paramref name="sizes"/>[0] (visible) → … → the last (top hidden).</summary>
    public DeepBeliefNet(IReadOnlyList<int> sizes) : base("dbn")
    {
        layers = new TorchSharp.Modules.ModuleList<RestrictedBoltzmannMachine>();
        for (int l = 0; l + 1 < sizes.Count; l++)
            layers.Add(new RestrictedBoltzmannMachine(sizes[l], sizes[l + 1], RbmVisible.Bernoulli));
        RegisterComponents();
    }

    public IList<RestrictedBoltzmannMachine> Layers => layers;

    /// <summary>
    /// Hidden probabilities of every row of <paramref name="v"/> after the first <paramref name="depth"/> layers (the data of the
    /// next).
    /// </summary>
    public Tensor Up(Tensor v, int depth)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = v.detach();   // a handle of its own: the caller disposes what Up returns
        for (int l = 0; l < depth; l++) x = layers[l].Parameters.HiddenProbabilities(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Samples: <paramref name="steps"/> block Gibbs steps in the top RBM from random visible states, then a down pass that
    /// samples each lower layer from the one above; returns E[v | h₁] of the bottom layer (pixel probabilities). [n, V].
    /// </summary>
    public Tensor Sample(int count, int steps, Generator generator)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var top = layers[^1].Parameters;
        var start = torch.bernoulli(torch.full([count, top.VisibleUnits], 0.5), generator: generator);
        var (state, mean) = top.Gibbs(start, steps, generator);
        if (layers.Count == 1) return mean.MoveToOuterDisposeScope();
        for (int l = layers.Count - 2; l >= 0; l--)
        {
            mean = layers[l].Parameters.VisibleMean(state);
            if (l > 0) state = torch.bernoulli(mean, generator: generator);
        }
        return mean.MoveToOuterDisposeScope();
    }
}
