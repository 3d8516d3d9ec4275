using Loom.Core;
using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Energy;

/// <summary>
/// The training objective of an energy-based model at one step: data x⁺ from a seeded batch order; negatives x⁻ from SGLD
/// started at replay-buffer chains (a fraction restarted from noise) and written back; the loss
/// mean E(x⁺) − mean E(x⁻) + α·(mean E(x⁺)² + mean E(x⁻)²). A joint model (JEM) adds the cross-entropy of the data's
/// labels under p(y | x⁺) = softmax f(x⁺), from the same forward pass that gives E(x⁺) = −logsumexp f(x⁺). Step s draws
/// from a generator derived from the seed and s. Logs the mean energies, their difference, the chains restarted and, for
/// a joint model, the classifier's loss and accuracy on the batch.
/// </summary>
public sealed class ContrastiveDivergenceObjective : ITrainingObjective
{
    private readonly EnergyModel model;
    private readonly ReplayBuffer buffer;
    private readonly Tensor train;
    private readonly Tensor? labels;
    private readonly BatchSampler batches;
    private readonly SgldOptions sgld;
    private readonly double reinit;
    private readonly double alpha;
    private readonly long seed;

    /// <param name="labels">The training labels [n] (int64) of a joint model; null for a plain energy.</param>
    public ContrastiveDivergenceObjective(EnergyModel model, ReplayBuffer buffer, Tensor train, EnergyRecipe recipe,
        Tensor? labels = null)
    {
        if (model.NumClasses > 0 && labels is null)
            throw LoomDataException.ForOption("Joint", "a joint energy model trains on labelled data");
        this.model = model;
        this.buffer = buffer;
        this.train = train;
        this.labels = model.NumClasses > 0 ? labels : null;
        seed = recipe.Seed!.Value;
        batches = new BatchSampler(train.shape[0], Math.Min(recipe.BatchSize!.Value, train.shape[0]), seed);
        sgld = recipe.TrainingSampler(buffer.Low, buffer.High);
        reinit = recipe.Reinit!.Value;
        alpha = recipe.Alpha!.Value;
    }

    public TrainingLoss Compute(long step, int micro)
    {
        var rows = batches.IndexTensorForStep(step);
        var positive = train.index_select(0, rows);
        var g = Seeding.Generator(seed, $"ebm-step:{step}:{micro}");
        var (start, slots, restarted) = buffer.Draw((int)positive.shape[0], reinit, g);
        model.Network.eval();
        var negative = Langevin.Run(model.Energy, start, sgld, g);
        model.Network.train();
        buffer.Store(slots, negative);
        var logits = labels is null ? null : model.ClassLogits(positive);
        var ePos = logits is null ? model.Energy(positive) : -torch.logsumexp(logits, 1);
        var eNeg = model.Energy(negative);
        var contrast = ePos.mean() - eNeg.mean();
        var loss = contrast + alpha * (ePos.square().mean() + eNeg.square().mean());
        var metrics = new Dictionary<string, double>
        {
            ["energy_data"] = ePos.mean().ToDouble(), ["energy_sgld"] = eNeg.mean().ToDouble(), ["cd"] = contrast.ToDouble(),
            ["restarted"] = restarted,
        };
        if (logits is not null)
        {
            var y = labels!.index_select(0, rows);
            var classifier = nn.functional.cross_entropy(logits, y);
            loss = loss + classifier;
            metrics["classifier_loss"] = classifier.ToDouble();
            metrics["batch_accuracy"] = logits.argmax(1).eq(y).to(ScalarType.Float64).mean().ToDouble();
        }
        return new TrainingLoss(loss, positive.shape[0], metrics);
    }
}
