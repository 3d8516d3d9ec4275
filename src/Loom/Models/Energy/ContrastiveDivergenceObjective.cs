using Loom.Core;
using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Energy;

/// <summary>
/// The training objective of an energy-based model at one step: data x⁺ from a seeded batch order; negatives x⁻ from SGLD
/// started at replay-buffer chains (a fraction restarted from noise) and written back; the loss
/// mean E(x⁺) − mean E(x⁻) + α·(mean E(x⁺)² + mean E(x⁻)²). Step s draws from a generator derived from the seed and s.
/// Logs the mean energies, their difference and the chains restarted.
/// </summary>
public sealed class ContrastiveDivergenceObjective : ITrainingObjective
{
    private readonly EnergyModel model;
    private readonly ReplayBuffer buffer;
    private readonly Tensor train;
    private readonly BatchSampler batches;
    private readonly SgldOptions sgld;
    private readonly double reinit;
    private readonly double alpha;
    private readonly long seed;

    public ContrastiveDivergenceObjective(EnergyModel model, ReplayBuffer buffer, Tensor train, EnergyRecipe recipe)
    {
        this.model = model;
        this.buffer = buffer;
        this.train = train;
        seed = recipe.Seed!.Value;
        batches = new BatchSampler(train.shape[0], Math.Min(recipe.BatchSize!.Value, train.shape[0]), seed);
        sgld = recipe.TrainingSampler(buffer.Low, buffer.High);
        reinit = recipe.Reinit!.Value;
        alpha = recipe.Alpha!.Value;
    }

    public TrainingLoss Compute(long step, int micro)
    {
        var positive = train.index_select(0, batches.IndexTensorForStep(step));
        var g = Seeding.Generator(seed, $"ebm-step:{step}:{micro}");
        var (start, slots, restarted) = buffer.Draw((int)positive.shape[0], reinit, g);
        model.Network.eval();
        var negative = Langevin.Run(model.Energy, start, sgld, g);
        model.Network.train();
        buffer.Store(slots, negative);
        var ePos = model.Energy(positive);
        var eNeg = model.Energy(negative);
        var contrast = ePos.mean() - eNeg.mean();
        var loss = contrast + alpha * (ePos.square().mean() + eNeg.square().mean());
        var metrics = new Dictionary<string, double>
        {
            ["energy_data"] = ePos.mean().ToDouble(), ["energy_sgld"] = eNeg.mean().ToDouble(), ["cd"] = contrast.ToDouble(),
            ["restarted"] = restarted,
        };
        return new TrainingLoss(loss, positive.shape[0], metrics);
    }
}
