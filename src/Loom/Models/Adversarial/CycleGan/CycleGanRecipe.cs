using Loom.Core;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// Everything a CycleGAN training run starts from — the two domains, both phases' optimizer and loss weights, the four
/// networks' sizes, the number type and libtorch's threads — as one record that round-trips through JSON
/// (<see cref="RecipeJson"/>). Unset (null) properties take <see cref="Defaults"/>. A run writes the resolved recipe
/// to run.json and a resumed run keeps it (docs/cyclegan.md).
/// </summary>
public sealed record CycleGanRecipe
{
    /// <summary>fashion-mnist, with two classes as the domains (<see cref="DomainA"/>, <see cref="DomainB"/>).</summary>
    public string? Data { get; init; }
    /// <summary>Fashion-MNIST class of each domain: index 0-9 or name (e.g. 5 or sandal).</summary>
    public string? DomainA { get; init; }
    public string? DomainB { get; init; }
    /// <summary>Instead of <see cref="Data"/>: a folder of PNG images per domain (one size; colour is averaged to grey).</summary>
    public string? DataA { get; init; }
    public string? DataB { get; init; }
    /// <summary>Training steps (each updates the generators, then the discriminators).</summary>
    public long? Steps { get; init; }
    /// <summary>Images of each domain per step.</summary>
    public int? BatchSize { get; init; }
    /// <summary>Adam learning rate of both phases (betas 0.5, 0.999).</summary>
    public double? LearningRate { get; init; }
    /// <summary>constant, linear (decay to 0 over the run) or cosine.</summary>
    public string? LrSchedule { get; init; }
    /// <summary>λ: weight of the cycle-consistency L1 terms.</summary>
    public double? CycleWeight { get; init; }
    /// <summary>Identity L1 weight as a fraction of λ (0 = off).</summary>
    public double? IdentityWeight { get; init; }
    /// <summary>Generated images kept per domain for the discriminators (0 = off).</summary>
    public int? PoolSize { get; init; }
    /// <summary>Generator channels at full resolution, residual blocks at the lowest, stride-2 downsamplings.</summary>
    public int? BaseChannels { get; init; }
    public int? ResBlocks { get; init; }
    public int? Downsamples { get; init; }
    /// <summary>Discriminator channels after its first layer, and its stride-2 layers.</summary>
    public int? DiscriminatorChannels { get; init; }
    public int? DiscriminatorLayers { get; init; }
    /// <summary>Save every N steps; 0 = at the end and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    /// <summary>
    /// libtorch CPU threads during the run (0 = leave libtorch's setting). 1 by default: with more, libtorch's CPU
    /// convolution backward here intermittently returns NaN gradients and those updates are skipped (docs/cyclegan.md).
    /// </summary>
    public int? Threads { get; init; }
    /// <summary>float32 or float64 (free of the CPU convolution's NaN gradients; slower at the default widths).</summary>
    public string? Dtype { get; init; }
    public long? Seed { get; init; }

    /// <summary>What may differ when a run is resumed: more steps, another checkpoint interval, another thread count.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "steps", "checkpoint_every", "threads" };

    public static CycleGanRecipe Defaults { get; } = new()
    {
        Steps = 2000, BatchSize = 16, LearningRate = 2e-4, LrSchedule = "constant", CycleWeight = 10, IdentityWeight = 0.5, PoolSize = 50,
        BaseChannels = 32, ResBlocks = 4, Downsamples = 2, DiscriminatorChannels = 32, DiscriminatorLayers = 2, CheckpointEvery = 500,
        Threads = 1, Dtype = "float32", Seed = 0,
    };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>. Validates the result.</summary>
    public CycleGanRecipe Resolve()
    {
        var json = RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<CycleGanRecipe>(json, "cyclegan recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe's training settings (the domains are checked as they load); errors name the option.</summary>
    public void Validate()
    {
        ToTrainingOptions().Validate();
        if (Threads is < 0) throw LoomUsageException.ForOption(nameof(Threads), $"must be non-negative, got {Threads}");
    }

    /// <summary>The optimizer and loss settings (a resolved recipe).</summary>
    public CycleGanTrainingOptions ToTrainingOptions() => new()
    {
        Steps = Steps!.Value, BatchSize = BatchSize!.Value, LearningRate = LearningRate!.Value,
        LearningRateSchedule = LearningRateSchedule.ParseKind(LrSchedule!), CycleWeight = CycleWeight!.Value,
        IdentityWeight = IdentityWeight!.Value, PoolSize = PoolSize!.Value, Seed = Seed!.Value, CheckpointEvery = CheckpointEvery!.Value,
    };

    /// <summary>The domains the recipe names, loaded.</summary>
    public CycleGanData LoadData() => CycleGanData.Load(Data, DomainA, DomainB, DataA, DataB);

    /// <summary>The model's config for <paramref name="data"/> (a resolved recipe).</summary>
    public CycleGanConfig ToConfig(CycleGanData data)
    {
        var shape = data.ImageShape;
        return new CycleGanConfig
        {
            Channels = (int)shape[0], Height = (int)shape[1], Width = (int)shape[2],
            BaseChannels = BaseChannels!.Value, ResBlocks = ResBlocks!.Value, Downsamples = Downsamples!.Value,
            DiscriminatorChannels = DiscriminatorChannels!.Value, DiscriminatorLayers = DiscriminatorLayers!.Value,
            DomainA = data.A.Name, DomainAClass = data.A.FashionMnistClass, DomainB = data.B.Name, DomainBClass = data.B.FashionMnistClass,
            DataName = data.DataName, DType = Dtype!.Trim().ToLowerInvariant(),
        };
    }
}
