using Loom.Core;
using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent.Quantized;

/// <summary>How the two stages of a VQ-VAE are trained. A record: copy with <c>with { }</c>.</summary>
public sealed record VqVaeTrainingOptions
{
    /// <summary>Stage 1 (autoencoder) optimizer steps.</summary>
    public long Steps { get; init; } = 3000;
    /// <summary>Stage 2 (prior) optimizer steps.</summary>
    public long PriorSteps { get; init; } = 3000;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 1e-3;
    public double PriorLearningRate { get; init; } = 1e-3;
    public double GradClip { get; init; } = 1.0;
    public long Seed { get; init; }
    public long LogEvery { get; init; } = 10;
    /// <summary>Save every N steps of either stage (0 = at the end of each stage and on interruption).</summary>
    public long CheckpointEvery { get; init; }

    public void Validate()
    {
        if (Steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {Steps}");
        if (PriorSteps < 1) throw LoomUsageException.ForOption(nameof(PriorSteps), $"must be at least 1, got {PriorSteps}");
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0)
            || !double.IsFinite(LearningRate)) throw LoomUsageException.ForOption(nameof(LearningRate),
                $"must be a positive number, got {LearningRate}");
        if (!(PriorLearningRate > 0) || !double.IsFinite(PriorLearningRate)) throw LoomUsageException.ForOption(nameof(PriorLearningRate),
            $"must be a positive number, got {PriorLearningRate}");
        if (CheckpointEvery < 0) throw LoomUsageException.ForOption(nameof(CheckpointEvery),
            $"must be non-negative, got {CheckpointEvery}");
        if (LogEvery < 1) throw LoomUsageException.ForOption(nameof(LogEvery), $"must be at least 1, got {LogEvery}");
    }
}

/// <summary>
/// Stage 1: binary cross-entropy reconstruction + commitment loss of a batch chosen by step (so a resumed run sees the
/// same batches); in training mode each call also moves the codebook one EMA step. Metrics: <c>reconstruction</c>,
/// <c>commitment</c>, <c>perplexity</c> (codebook usage in the batch), <c>restarted_codes</c> (in this step) and
/// <c>restarted_codes_total</c> (since this objective was created, i.e. since the stage started or resumed).
/// </summary>
public sealed class AutoencoderObjective : ITrainingObjective
{
    private readonly VqVae autoencoder;
    private readonly TensorDataset images;
    private readonly BatchSampler batches;
    private readonly Device device;
    private long restartedTotal;

    /// <param name="images">float32 [n, C, S, S] in [0, 1] (any device; batches are moved to <paramref name="device"/>).</param>
    public AutoencoderObjective(VqVae autoencoder, Tensor images, int batchSize, long seed, Device device)
    {
        this.autoencoder = autoencoder;
        this.images = new TensorDataset(images);
        this.device = device;
        batches = new BatchSampler(images.shape[0], Math.Min(batchSize, images.shape[0]), seed);
    }

    public TrainingLoss Compute(long step, int micro)
    {
        var batch = images.Batch(batches, step)[0].to(device);
        var loss = autoencoder.Loss(batch);
        restartedTotal += loss.Quantizer.RestartedCodes;
        var metrics = new Dictionary<string, double>
        {
            ["reconstruction"] = loss.Reconstruction.ToDouble(),
            ["commitment"] = loss.Quantizer.CommitmentLoss.ToDouble(),
            ["perplexity"] = loss.Quantizer.Perplexity.ToDouble(),
            ["restarted_codes"] = loss.Quantizer.RestartedCodes,
            ["restarted_codes_total"] = restartedTotal,
        };
        return new TrainingLoss(loss.Total, batch.shape[0], metrics);
    }
}

/// <summary>
/// Stage 2: cross-entropy of the prior on code maps of the training set, in nats per code position. The codes are
/// computed once by the frozen autoencoder (<see cref="PriorCodes.Encode"/>) and batches are chosen by step.
/// </summary>
public sealed class PriorObjective : ITrainingObjective
{
    private readonly PixelCnnPrior prior;
    private readonly TensorDataset codes;
    private readonly BatchSampler batches;
    private readonly bool conditional;
    private readonly Device device;

    /// <param name="codes">int64 [n, s, s] code maps.</param>
    /// <param name="labels">int64 [n] classes for a conditional prior, else null.</param>
    public PriorObjective(PixelCnnPrior prior, Tensor codes, Tensor? labels, int batchSize, long seed, Device device)
    {
        if (prior.NumClasses > 0 && labels is null)
            throw new LoomUsageException("a class-conditional prior needs labels; the data has none");
        this.prior = prior;
        conditional = prior.NumClasses > 0;
        this.codes = conditional ? new TensorDataset(codes, labels!) : new TensorDataset(codes);
        this.device = device;
        batches = new BatchSampler(codes.shape[0], Math.Min(batchSize, codes.shape[0]), Seeding.Derive(seed, "vqvae-prior-batches"));
    }

    public TrainingLoss Compute(long step, int micro)
    {
        var batch = codes.Batch(batches, step);
        var x = batch[0].to(device);
        return new TrainingLoss(prior.Nll(x, conditional ? batch[1].to(device) : null), x.shape[0]);
    }
}

/// <summary>The training set's code maps, encoded once by the frozen autoencoder for stage 2.</summary>
public static class PriorCodes
{
    /// <summary>int64 [n, s, s] code maps of <paramref name="images"/> (batched, no gradient, no codebook update), on the CPU.</summary>
    public static Tensor Encode(VqVaeModel model, Tensor images)
    {
        model.Autoencoder.eval();
        return model.Encode(images);
    }
}
