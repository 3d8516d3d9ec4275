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
    /// <summary>A VAE only: <see cref="From"/> named instead of given — a PNG path or <c>fashion-mnist:N</c> (test image N),
    /// read at the model's sample shape.</summary>
    public string? FromImage { get; init; }
    /// <summary>A VAE only: <see cref="To"/> named instead of given, as <see cref="FromImage"/>.</summary>
    public string? ToImage { get; init; }
    public CancellationToken Cancellation { get; init; }

    public LatentWalkOptions Clone() => (LatentWalkOptions)MemberwiseClone();

    /// <summary>Whether a start example is given (<see cref="From"/> or <see cref="FromImage"/>).</summary>
    public bool HasFrom => From is not null || FromImage is not null;

    /// <summary>Whether an end example is given (<see cref="To"/> or <see cref="ToImage"/>).</summary>
    public bool HasTo => To is not null || ToImage is not null;

    public void Validate()
    {
        if (Steps < 2) throw LoomUsageException.ForOption(nameof(Steps), $"needs at least 2 points, got {Steps}");
        if (Rows < 1) throw LoomUsageException.ForOption(nameof(Rows), $"must be at least 1, got {Rows}");
        if (!(Range > 0) || !double.IsFinite(Range))
            throw LoomUsageException.ForOption(nameof(Range), $"must be a positive number, got {Range}");
        if (From is not null && FromImage is not null)
            throw LoomUsageException.ForOption(nameof(FromImage), "give the start example as From or as FromImage, not both");
        if (To is not null && ToImage is not null)
            throw LoomUsageException.ForOption(nameof(ToImage), "give the end example as To or as ToImage, not both");
        if (HasFrom != HasTo && !Traverse)
            throw LoomUsageException.ForOption(To is null && ToImage is null ? nameof(To) : nameof(From),
                "give From and To both (or From with Traverse)");
        if (Traverse && HasTo)
            throw LoomUsageException.ForOption(To is null ? nameof(ToImage) : nameof(To),
                "a traversal sweeps around From (or the prior's centre); To is for paths");
    }
}
