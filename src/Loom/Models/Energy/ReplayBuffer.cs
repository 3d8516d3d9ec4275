using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Energy;

/// <summary>
/// The replay buffer of persistent SGLD chains (Du and Mordatch 2019): <c>Capacity</c> states that start as uniform
/// noise on [low, high]. <see cref="Draw"/> takes a batch of random slots and restarts each with probability
/// <c>reinit</c> from fresh uniform noise; after SGLD, <see cref="Store"/> writes the chains back into the same slots.
/// The states are the module's buffer <c>samples</c>, so a run's trainer state saves them and a resume restores them.
/// </summary>
public sealed class ReplayBuffer : nn.Module
{
    private readonly Tensor samples;

    /// <param name="capacity">States held.</param>
    /// <param name="sampleShape">Shape of one state ([d] or [c, h, w]).</param>
    /// <param name="low">Lower end of the uniform noise.</param>
    /// <param name="high">Upper end of the uniform noise.</param>
    /// <param name="generator">Draws the initial noise.</param>
    public ReplayBuffer(int capacity, long[] sampleShape, double low, double high, Generator generator) : base("replay_buffer")
    {
        if (capacity < 1) throw LoomUsageException.ForOption("BufferSize", $"must be at least 1, got {capacity}");
        if (!(low < high)) throw new LoomDataException($"the replay buffer's noise range must have low < high, got [{low}, {high}]");
        Low = low;
        High = high;
        SampleShape = sampleShape;
        samples = Uniform([capacity, .. sampleShape], generator);
        RegisterComponents();
    }

    public double Low { get; }
    public double High { get; }
    public long[] SampleShape { get; }
    public long Capacity => samples.shape[0];

    /// <summary>The states held, [capacity, ...] (the live buffer, not a copy).</summary>
    public Tensor Samples => samples;

    /// <summary>Uniform noise on [low, high] of the given shape.</summary>
    public Tensor Uniform(long[] shape, Generator generator) =>
        torch.rand(shape, ScalarType.Float32, generator: generator) * (High - Low) + Low;

    /// <summary>
    /// <paramref name="count"/> starting states: random slots of the buffer, each replaced by fresh noise with probability
    /// <paramref name="reinit"/>. Returns the states and the slots they came from (for <see cref="Store"/>) and how many
    /// were restarted.
    /// </summary>
    public (Tensor States, Tensor Slots, long Restarted) Draw(int count, double reinit, Generator generator)
    {
        if (reinit is < 0 or > 1) throw LoomUsageException.ForOption("Reinit", $"must be in [0, 1], got {reinit}");
        using var noGrad = torch.no_grad();
        var slots = torch.randint(0, Capacity, [count], ScalarType.Int64, generator: generator);
        var fromBuffer = samples.index_select(0, slots);
        var noise = Uniform([count, .. SampleShape], generator);
        var restart = torch.rand([count], ScalarType.Float32, generator: generator).lt(reinit);
        var mask = restart.reshape([count, .. SampleShape.Select(_ => 1L)]);
        var states = torch.where(mask, noise, fromBuffer);
        return (states, slots, restart.sum().ToInt64());
    }

    /// <summary>Writes <paramref name="states"/> back into <paramref name="slots"/> (a slot drawn twice keeps one of them).</summary>
    public void Store(Tensor slots, Tensor states)
    {
        using var noGrad = torch.no_grad();
        samples.index_copy_(0, slots, states.detach().to(samples.dtype));
    }
}
