using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Training;

/// <summary>
/// Shadow copies of parameters updated as shadow = decay·shadow + (1−decay)·param after each step. Sampling and
/// evaluation usually use the shadows: <see cref="SwapIn"/> exchanges them with the live weights (call again to swap back).
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> parameters;
    private readonly Tensor[] shadows;

    public ExponentialMovingAverage(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, double decay)
    {
        if (decay is <= 0 or >= 1)
            throw Core.LoomUsageException.ForOption("EmaDecay", $"decay must be in (0, 1), got {decay}");
        this.parameters = parameters;
        Decay = decay;
        using var noGrad = torch.no_grad();
        shadows = parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    public double Decay { get; }
    public IReadOnlyList<Tensor> Shadows => shadows;

    /// <summary>Ramp the decay up as min(decay, (1 + n)/(10 + n)) after n updates, so early weights fade quickly (diffusers' EMA
    /// warmup).</summary>
    public bool Warmup { get; init; }

    /// <summary>The decay used for update number <paramref name="updates"/> (0-based).</summary>
    public double DecayAt(long updates) => Warmup ? Math.Min(Decay, (1.0 + updates) / (10.0 + updates)) : Decay;

    /// <param name="updates">Updates done before this one (the trainer's step); only matters with <see cref="Warmup"/>.</param>
    public void Update(long updates = 0)
    {
        double decay = DecayAt(updates);
        using var noGrad = torch.no_grad();
        for (int i = 0; i < shadows.Length; i++)
            shadows[i].mul_(decay).add_(parameters[i], alpha: 1 - decay);
    }

    /// <summary>Exchanges shadows and live weights in place.</summary>
    public void SwapIn()
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < shadows.Length; i++)
        {
            using var live = parameters[i].detach().clone();
            parameters[i].copy_(shadows[i]);
            shadows[i].copy_(live);
        }
    }

    public void CaptureState(string prefix, IDictionary<string, Tensor> into)
    {
        for (int i = 0; i < shadows.Length; i++)
            into[$"{prefix}{i}"] = shadows[i].clone();
    }

    public void RestoreState(string prefix, IReadOnlyDictionary<string, Tensor> from)
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < shadows.Length; i++)
        {
            if (!from.TryGetValue($"{prefix}{i}", out var t) || !t.shape.SequenceEqual(shadows[i].shape) || t.dtype != shadows[i].dtype)
                throw new Core.LoomDataException($"trainer state: EMA shadow {i} is missing or has the wrong shape or dtype");
            shadows[i].copy_(t);
        }
    }

    public void Dispose()
    {
        foreach (var s in shadows) s.Dispose();
    }
}
