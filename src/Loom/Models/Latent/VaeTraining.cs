using Loom.Core;
using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>How a VAE is trained. A record: copy with <c>with { }</c>.</summary>
public sealed record VaeTrainingOptions
{
    public long Steps { get; init; } = 5000;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 1e-3;
    public long Warmup { get; init; } = 100;
    public double GradClip { get; init; } = 10;
    /// <summary>Resample binary pixels from the gray levels every batch (Bernoulli likelihood).</summary>
    public bool DynamicBinarization { get; init; } = true;
    /// <summary>Ramp β from 0 to its value over this many steps (KL annealing); 0 = off.</summary>
    public long KlWarmup { get; init; }
    /// <summary>λ of the adversarial term (VAE-GAN, <see cref="VaeAdversary"/>); 0 = plain VAE.</summary>
    public double Adversarial { get; init; }
    /// <summary>Learning rate of the adversarial discriminator (Adam, β₁ 0).</summary>
    public double AdversaryLearningRate { get; init; } = 4e-4;
    public long Seed { get; init; }
    public long LogEvery { get; init; } = 20;
    public long CheckpointEvery { get; init; } = 1000;
    /// <summary>Train with DP-SGD (Poisson batches of <see cref="BatchSize"/> on average, per-example clipping, noise);
    /// null trains as usual.</summary>
    public Privacy.DpOptions? Privacy { get; init; }

    public void Validate()
    {
        if (Steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {Steps}");
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw LoomUsageException.ForOption(nameof(LearningRate), $"must be positive, got {LearningRate}");
        if (KlWarmup < 0) throw LoomUsageException.ForOption(nameof(KlWarmup), $"must be non-negative, got {KlWarmup}");
        if (!(Adversarial >= 0)
            || !double.IsFinite(Adversarial)) throw LoomUsageException.ForOption(nameof(Adversarial),
                $"must be non-negative, got {Adversarial}");
        if (!(AdversaryLearningRate > 0)) throw LoomUsageException.ForOption(nameof(AdversaryLearningRate),
            $"must be positive, got {AdversaryLearningRate}");
        Privacy?.Validate();
        if (Privacy is not null && Adversarial > 0) throw LoomUsageException.ForOption(nameof(Adversarial),
            "a VAE-GAN's discriminator sees the data without DP-SGD; leave Adversarial at 0 for private training");
    }
}

/// <summary>
/// The VAE objective for one batch (picked by step, so resumed runs see the same batches): −(log p(x|z) − β·KL) with
/// one sample, or −IWAE_k when the config trains with k &gt; 1 samples. Bernoulli images are binarized dynamically.
/// Logs the ELBO, reconstruction and KL terms (nats per example). With a discriminator (VAE-GAN) the
/// loss adds λ·(−D(x̂, y)) for the reconstructions x̂ (<see cref="VaeAdversary"/>), logged as <c>adversarial</c>.
/// </summary>
public sealed class VaeObjective : ITrainingObjective
{
    private readonly VariationalAutoencoder network;
    private readonly Adversarial.GanDiscriminator? discriminator;
    private readonly TensorDataset data;
    private readonly BatchSampler batches;
    private readonly VaeTrainingOptions options;
    private readonly Device device;

    public VaeObjective(VariationalAutoencoder network, TensorDataset data, VaeTrainingOptions options, Device device,
        Adversarial.GanDiscriminator? discriminator = null)
    {
        this.network = network;
        this.discriminator = discriminator;
        this.data = data;
        this.options = options;
        this.device = device;
        batches = new BatchSampler(data.Count, Math.Min(options.BatchSize, data.Count), options.Seed);
    }

    /// <summary>What the VAE trains on for a batch of data-space examples: binarized afresh for a Bernoulli image model (dynamic
    /// binarization), else as is.</summary>
    public static Tensor TrainingInput(VariationalAutoencoder network, Tensor examples, VaeTrainingOptions options) =>
        network.Config.Likelihood == VaeLikelihood.Bernoulli && options.DynamicBinarization ? torch.bernoulli(examples) : examples;

    /// <summary>The Poisson sample rate of DP-SGD: the batch size over the data set size.</summary>
    public static double SampleRate(VaeTrainingOptions options, long count) => Math.Min(1.0, (double)options.BatchSize / count);

    /// <summary>The loss of step <paramref name="step"/>'s batch; with DP-SGD the batch is Poisson-sampled (possibly empty)
    /// and each example's −(log p(x|z) − β·KL) comes with it (the recipe refuses IWAE and the adversarial term there).</summary>
    public TrainingLoss Compute(long step, int micro)
    {
        Tensor[] batch;
        if (options.Privacy is null)
            batch = data.Batch(batches, step);
        else
        {
            var indices = Data.PoissonSampling.Indices(data.Count, SampleRate(options, data.Count), options.Seed, step);
            if (indices.shape[0] == 0)
                return new TrainingLoss(torch.zeros(1).sum(), 0, PerExampleLoss: torch.zeros(0));
            batch = data.Get(indices);
        }
        var x = TrainingInput(network, batch[0].to(ScalarType.Float32), options).to(device);
        var labels = network.Config.NumClasses > 0 ? batch[1].to(ScalarType.Int64).to(device) : null;
        long n = x.shape[0];
        if (network.Config.TrainSamples > 1)
        {
            var bound = network.IwaeBound(x, labels, network.Config.TrainSamples).mean();
            return new TrainingLoss(-bound, n, new Dictionary<string, double> { ["iwae"] = bound.ToDouble() });
        }
        var terms = network.Elbo(x, labels);
        double beta = network.Config.Beta * (options.KlWarmup > 0 ? Math.Min(1.0, (step + 1.0) / options.KlWarmup) : 1.0);
        var perExample = -(terms.LogLikelihood - beta * terms.Kl);
        var loss = perExample.mean();
        var metrics = new Dictionary<string, double>
        {
            ["elbo"] = terms.Elbo.mean().ToDouble(), ["reconstruction"] = -terms.LogLikelihood.mean().ToDouble(),
            ["kl"] = terms.Kl.mean().ToDouble(),
        };
        if (discriminator is not null && options.Adversarial > 0)
        {
            var adversarial = VaeAdversary.GeneratorLoss(discriminator, network.MeanOf(terms.DecoderOutput), labels);
            metrics["adversarial"] = adversarial.ToDouble();
            return new TrainingLoss(loss + options.Adversarial * adversarial, n, metrics);
        }
        return new TrainingLoss(loss, n, metrics, perExample);
    }
}
