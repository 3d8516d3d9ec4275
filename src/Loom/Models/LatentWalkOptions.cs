using Loom.Core;
using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>What <see cref="LatentWalk"/> draws: a grid of <see cref="Rows"/> paths of <see cref="Steps"/> points each.</summary>
public sealed class LatentWalkOptions
{
    /// <summary>Points along each path (the grid's columns); at least 2.</summary>
    public int Steps { get; init; } = 8;
    /// <summary>Paths (the grid's rows); with <see cref="Traverse"/>, the latent dimensions shown (at most the latent size).</summary>
    public int Rows { get; init; } = 4;
    /// <summary>Row r walks from the prior latent drawn with seed Seed + 2r to the one drawn with Seed + 2r + 1.</summary>
    public long Seed { get; init; }
    /// <summary>Sweep each latent dimension over [−<see cref="Range"/>, <see cref="Range"/>] instead of interpolating.</summary>
    public bool Traverse { get; init; }
    /// <summary>The traversal's half-width in prior standard deviations.</summary>
    public double Range { get; init; } = 3.0;
    /// <summary>The class of every point for a conditional model; null: row r uses class r mod classes.</summary>
    public int? Class { get; init; }
    /// <summary>A VAE only: one example [1, …] (the model's sample shape) whose posterior mean starts the walk (or centres the
    /// traversal).</summary>
    public Tensor? From { get; init; }
    /// <summary>A VAE only: the example whose posterior mean ends the walk (with <see cref="From"/>).</summary>
    public Tensor? To { get; init; }
    public CancellationToken Cancellation { get; init; }

    public LatentWalkOptions Clone() => (LatentWalkOptions)MemberwiseClone();

    public void Validate()
    {
        if (Steps < 2) throw LoomUsageException.ForOption(nameof(Steps), $"needs at least 2 points, got {Steps}");
        if (Rows < 1) throw LoomUsageException.ForOption(nameof(Rows), $"must be at least 1, got {Rows}");
        if (!(Range > 0) || !double.IsFinite(Range))
            throw LoomUsageException.ForOption(nameof(Range), $"must be a positive number, got {Range}");
        if ((From is null) != (To is null) && !Traverse)
            throw LoomUsageException.ForOption(nameof(To), "give From and To both (or From with Traverse)");
        if (Traverse && To is not null)
            throw LoomUsageException.ForOption(nameof(To), "a traversal sweeps around From (or the prior's centre); To is for paths");
    }
}
