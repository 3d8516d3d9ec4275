using Loom.Core;
using Loom.Data;
using Loom.Models.Diffusion.Networks;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>How a diffusion model is trained. A record: copy with <c>with { }</c>.</summary>
public sealed record DiffusionTrainingOptions
{
    public long Steps { get; init; } = 5000;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 2e-4;
    public long Warmup { get; init; } = 200;
    public ScheduleKind LearningRateSchedule { get; init; } = ScheduleKind.Constant;
    public double WeightDecay { get; init; }
    public double GradClip { get; init; } = 1.0;
    /// <summary>EMA decay of the weights used for sampling (with warmup); null = no EMA.</summary>
    public double? EmaDecay { get; init; } = 0.999;
    /// <summary>Min-SNR-γ loss weighting; 0 = plain MSE.</summary>
    public double MinSnrGamma { get; init; }
    /// <summary>Probability a label is replaced by "no label" (classifier-free guidance training).</summary>
    public double LabelDropout { get; init; } = 0.1;
    /// <summary>Flip images horizontally with probability ½.</summary>
    public bool RandomFlip { get; init; }
    public long Seed { get; init; }
    public long LogEvery { get; init; } = 10;
    public long CheckpointEvery { get; init; }
    /// <summary>
    /// DP-SGD: each training example is one unit of privacy; batches are Poisson-sampled at rate BatchSize / examples, each
    /// example's loss (one timestep and noise draw) is clipped and noised (<see cref="Loom.Training.PrivateTraining"/>).
    /// The EMA of the weights is post-processing and keeps the guarantee. Null: ordinary training.
    /// </summary>
    public Privacy.DpOptions? Privacy { get; init; }

    /// <summary>The Poisson sample rate of DP-SGD: the batch size over the data set size.</summary>
    public double SampleRate(long count) => Math.Min(1.0, (double)BatchSize / count);

    public void Validate()
    {
        Privacy?.Validate();
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw LoomUsageException.ForOption(nameof(LearningRate), $"must be positive, got {LearningRate}");
        if (LabelDropout is < 0 or >= 1) throw LoomUsageException.ForOption(nameof(LabelDropout), $"must be in [0, 1), got {LabelDropout}");
        if (MinSnrGamma < 0) throw LoomUsageException.ForOption(nameof(MinSnrGamma), $"must be non-negative, got {MinSnrGamma}");
    }
}

/// <summary>
/// The denoising objective: pick a batch (by step, so resumed runs see the same batches), a uniform timestep and
/// Gaussian noise per example, form x_t = √ᾱ x_0 + √(1−ᾱ) ε, and regress the network output on the target (ε, x_0 or
/// v) with per-example min-SNR weights. Labels are dropped to the "no label" slot with probability
/// <c>LabelDropout</c> so one network learns both the conditional and the unconditional model. With DP-SGD the batch is
/// Poisson-sampled (possibly empty) and each example's weighted loss comes with it.
/// </summary>
public sealed class DiffusionObjective : ITrainingObjective
{
    private readonly Denoiser network;
    private readonly NoiseSchedule schedule;
    private readonly PredictionType prediction;
    private readonly TensorDataset data;
    private readonly BatchSampler batches;
    private readonly DiffusionTrainingOptions options;
    private readonly Device device;
    private readonly Tensor alphaBars;

    public DiffusionObjective(Denoiser network, NoiseSchedule schedule, PredictionType prediction, TensorDataset data,
        DiffusionTrainingOptions options, Device device)
    {
        this.network = network;
        this.schedule = schedule;
        this.prediction = prediction;
        this.data = data;
        this.options = options;
        this.device = device;
        batches = new BatchSampler(data.Count, Math.Min(options.BatchSize, data.Count), options.Seed);
        alphaBars = torch.tensor(schedule.AlphaBars, ScalarType.Float64).DetachFromDisposeScope();
    }

    public TrainingLoss Compute(long step, int micro)
    {
        Tensor[] batch;
        if (options.Privacy is null)
            batch = data.Batch(batches, step);
        else
        {
            var indices = PoissonSampling.Indices(data.Count, options.SampleRate(data.Count), options.Seed, step);
            if (indices.shape[0] == 0)
                return new TrainingLoss(torch.zeros(1).sum(), 0, PerExampleLoss: torch.zeros(0));
            batch = data.Get(indices);
        }
        var x0 = batch[0].to(ScalarType.Float32);
        long n = x0.shape[0];
        if (options.RandomFlip)
        {
            var flip = (torch.rand(n) < 0.5).reshape([n, .. Enumerable.Repeat(1L, (int)x0.dim() - 1)]);
            x0 = torch.where(flip, x0.flip(-1), x0);
        }
        var t = torch.randint(0, schedule.Timesteps, [n], dtype: ScalarType.Int64);
        var noise = torch.randn_like(x0);
        var abFlat = alphaBars.index_select(0, t);
        var ab = abFlat.to(ScalarType.Float32).reshape([n, .. Enumerable.Repeat(1L, (int)x0.dim() - 1)]);
        Tensor? labels = null;
        if (network.NumClasses > 0)
        {
            labels = batch[1].to(ScalarType.Int64);
            if (options.LabelDropout > 0)
                labels = torch.where(torch.rand(n) < options.LabelDropout, torch.full_like(labels, network.NumClasses), labels);
            labels = labels.to(device);
        }
        var xt = (ab.sqrt() * x0 + (1 - ab).sqrt() * noise).to(device);
        var target = Predictions.Target(prediction, x0, noise, ab).to(device);
        var output = network.Predict(xt, t.to(ScalarType.Float32).to(device), labels);
        long[] reduce = Enumerable.Range(1, (int)x0.dim() - 1).Select(d => (long)d).ToArray();
        var perExample = (output - target).square().mean(reduce);
        var weights = Predictions.MinSnrWeights(prediction, abFlat / (1 - abFlat), options.MinSnrGamma).to(ScalarType.Float32).to(device);
        var weighted = weights * perExample;
        return new TrainingLoss(weighted.mean(), n, PerExampleLoss: options.Privacy is null ? null : weighted);
    }
}
