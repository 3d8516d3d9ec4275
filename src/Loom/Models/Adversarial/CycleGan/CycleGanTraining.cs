using Loom.Core;
using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>How a CycleGAN is trained. A record: copy with <c>with { }</c>.</summary>
public sealed record CycleGanTrainingOptions
{
    public long Steps { get; init; } = 2000;
    /// <summary>Images of each domain per step.</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>Adam learning rate of both phases (betas 0.5, 0.999 as in the paper).</summary>
    public double LearningRate { get; init; } = 2e-4;
    public ScheduleKind LearningRateSchedule { get; init; } = ScheduleKind.Constant;
    /// <summary>λ: weight of the cycle-consistency L1 terms.</summary>
    public double CycleWeight { get; init; } = 10;
    /// <summary>Weight of the identity L1 terms relative to λ (the loss uses IdentityWeight × λ); 0 turns them off.</summary>
    public double IdentityWeight { get; init; } = 0.5;
    /// <summary>Generated images kept per domain for the discriminators (0 = no pool).</summary>
    public int PoolSize { get; init; } = 50;
    public long Seed { get; init; }
    public long LogEvery { get; init; } = 10;
    public long CheckpointEvery { get; init; }

    public void Validate()
    {
        if (Steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {Steps}");
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0)
            || !double.IsFinite(LearningRate)) throw LoomUsageException.ForOption(nameof(LearningRate),
                $"must be a positive number, got {LearningRate}");
        if (!(CycleWeight >= 0) || !double.IsFinite(CycleWeight)) throw LoomUsageException.ForOption(nameof(CycleWeight),
            $"must be a non-negative number, got {CycleWeight}");
        if (!(IdentityWeight >= 0) || !double.IsFinite(IdentityWeight)) throw LoomUsageException.ForOption(nameof(IdentityWeight),
            $"must be a non-negative number, got {IdentityWeight}");
        if (PoolSize < 0) throw LoomUsageException.ForOption(nameof(PoolSize), $"must be non-negative, got {PoolSize}");
        if (CheckpointEvery < 0) throw LoomUsageException.ForOption(nameof(CheckpointEvery),
            $"must be non-negative, got {CheckpointEvery}");
    }

    /// <summary>Adam with the paper's betas and no weight decay.</summary>
    public OptimizerOptions Optimizer => new() { LearningRate = LearningRate, Beta1 = 0.5, Beta2 = 0.999 };
}

/// <summary>
/// The two alternating CycleGAN phases for the shared <see cref="Trainer"/>, run in this order at every step:
/// <list type="bullet">
/// <item><c>generators</c> (G_AB and G_BA): LSGAN(D_B(G_AB(a)) → 1) + LSGAN(D_A(G_BA(b)) → 1)
///   + λ (|G_BA(G_AB(a)) − a| + |G_AB(G_BA(b)) − b|) + λ·w_id (|G_AB(b) − b| + |G_BA(a) − a|);
///   metrics <c>adversarial</c>, <c>cycle</c>, <c>identity</c> (unweighted).</item>
/// <item><c>discriminators</c> (D_A and D_B): ½ (LSGAN(D(real) → 1) + LSGAN(D(pooled fake) → 0)) for each, summed;
///   the fakes are the generator phase's outputs of the same step, passed through the <see cref="ImagePool"/>s;
///   metrics <c>d_a</c>, <c>d_b</c>.</item>
/// </list>
/// Each domain's batch of a step comes from its own stateless <see cref="BatchSampler"/> (seeds derived from the run's
/// seed), so a resumed run sees the same batches; the pools' contents go into the trainer state (<see cref="CaptureState"/>).
/// </summary>
public sealed class CycleGanTraining : IDisposable
{
    private readonly CycleGanNetworks networks;
    private readonly TensorDataset domainA;
    private readonly TensorDataset domainB;
    private readonly BatchSampler batchesA;
    private readonly BatchSampler batchesB;
    private readonly CycleGanTrainingOptions options;
    private readonly Device device;
    private readonly ScalarType dtype;
    private Tensor? fakeA;
    private Tensor? fakeB;

    public const string PoolAKey = "pool.a";
    public const string PoolBKey = "pool.b";

    public CycleGanTraining(CycleGanNetworks networks, TensorDataset domainA, TensorDataset domainB,
        CycleGanTrainingOptions options, Device device)
    {
        options.Validate();
        this.networks = networks;
        this.domainA = domainA;
        this.domainB = domainB;
        this.options = options;
        this.device = device;
        dtype = networks.GeneratorParameters[0].dtype;
        batchesA =
            new BatchSampler(domainA.Count, Math.Min(options.BatchSize, domainA.Count), Seeding.Derive(options.Seed, "cyclegan:domain-a"));
        batchesB =
            new BatchSampler(domainB.Count, Math.Min(options.BatchSize, domainB.Count), Seeding.Derive(options.Seed, "cyclegan:domain-b"));
        PoolA = new ImagePool(options.PoolSize);
        PoolB = new ImagePool(options.PoolSize);
        Phases =
        [
            new TrainingPhase("generators", new DelegateObjective(GeneratorLoss), networks.GeneratorParameters, options.Optimizer),
            new TrainingPhase("discriminators", new DelegateObjective(DiscriminatorLoss),
                networks.DiscriminatorParameters, options.Optimizer),
        ];
    }

    /// <summary>Fakes of domain A (G_BA's output) shown to D_A.</summary>
    public ImagePool PoolA { get; }
    /// <summary>Fakes of domain B (G_AB's output) shown to D_B.</summary>
    public ImagePool PoolB { get; }
    public IReadOnlyList<TrainingPhase> Phases { get; }

    /// <summary>The pools' contents under <see cref="PoolAKey"/> and <see cref="PoolBKey"/> (absent while empty).</summary>
    public void CaptureState(IDictionary<string, Tensor> tensors)
    {
        if (PoolA.Capture() is { } a) tensors[PoolAKey] = a;
        if (PoolB.Capture() is { } b) tensors[PoolBKey] = b;
    }

    public void RestoreState(IReadOnlyDictionary<string, Tensor> tensors)
    {
        if (tensors.TryGetValue(PoolAKey, out var a)) PoolA.Restore(a.to(dtype).to(device));
        if (tensors.TryGetValue(PoolBKey, out var b)) PoolB.Restore(b.to(dtype).to(device));
    }

    /// <summary>This step's images of each domain, in the networks' dtype on their device.</summary>
    private (Tensor A, Tensor B) Batches(long step) =>
        (domainA.Batch(batchesA, step)[0].to(dtype).to(device), domainB.Batch(batchesB, step)[0].to(dtype).to(device));

    private TrainingLoss GeneratorLoss(long step, int micro)
    {
        var (a, b) = Batches(step);
        networks.TrackDiscriminatorGradients(false);
        var gAB = networks.GeneratorAtoB;
        var gBA = networks.GeneratorBtoA;
        var toB = gAB.forward(a);
        var toA = gBA.forward(b);
        var adversarial = CycleGanLosses.LeastSquares(networks.DiscriminatorB.forward(toB), real: true)
                        + CycleGanLosses.LeastSquares(networks.DiscriminatorA.forward(toA), real: true);
        var cycle = CycleGanLosses.MeanAbsolute(gBA.forward(toB), a) + CycleGanLosses.MeanAbsolute(gAB.forward(toA), b);
        var loss = adversarial + options.CycleWeight * cycle;
        var metrics = new Dictionary<string, double> { ["adversarial"] = adversarial.ToDouble(), ["cycle"] = cycle.ToDouble() };
        if (options.IdentityWeight > 0)
        {
            var identity = CycleGanLosses.MeanAbsolute(gAB.forward(b), b) + CycleGanLosses.MeanAbsolute(gBA.forward(a), a);
            loss = loss + options.IdentityWeight * options.CycleWeight * identity;
            metrics["identity"] = identity.ToDouble();
        }
        Keep(ref fakeA, toA);
        Keep(ref fakeB, toB);
        return new TrainingLoss(loss, a.shape[0] + b.shape[0], metrics);
    }

    private TrainingLoss DiscriminatorLoss(long step, int micro)
    {
        var (a, b) = Batches(step);
        networks.TrackDiscriminatorGradients(true);
        if (fakeA is null || fakeB is null)
        {
            using var noGrad = torch.no_grad();
            Keep(ref fakeA, networks.GeneratorBtoA.forward(b));
            Keep(ref fakeB, networks.GeneratorAtoB.forward(a));
        }
        var dA = CycleGanLosses.Discriminator(networks.DiscriminatorA.forward(a), networks.DiscriminatorA.forward(PoolA.Query(fakeA!)));
        var dB = CycleGanLosses.Discriminator(networks.DiscriminatorB.forward(b), networks.DiscriminatorB.forward(PoolB.Query(fakeB!)));
        Release();
        var metrics = new Dictionary<string, double> { ["d_a"] = dA.ToDouble(), ["d_b"] = dB.ToDouble() };
        return new TrainingLoss(dA + dB, a.shape[0] + b.shape[0], metrics);
    }

    /// <summary>Holds a detached copy of this step's fakes past the generator phase's dispose scope.</summary>
    private static void Keep(ref Tensor? slot, Tensor images)
    {
        slot?.Dispose();
        slot = images.detach().clone().DetachFromDisposeScope();
    }

    private void Release()
    {
        fakeA?.Dispose();
        fakeB?.Dispose();
        (fakeA, fakeB) = (null, null);
    }

    public void Dispose()
    {
        Release();
        networks.TrackDiscriminatorGradients(true);
        PoolA.Dispose();
        PoolB.Dispose();
    }
}
