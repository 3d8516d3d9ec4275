using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// The CD-k / PCD-k objective on the shared trainer. Its loss is the surrogate mean F(v⁺) − mean F(v⁻) with the negative
/// samples v⁻ held fixed, whose gradient is exactly the contrastive-divergence estimate
/// −(⟨v p(h|v)ᵀ⟩_data − ⟨v p(h|v)ᵀ⟩_model) (and likewise for the biases, with hidden probabilities as in scikit-learn's
/// BernoulliRBM); plus ½λ‖W‖², L2 weight decay on the weights only (Hinton's guide). v⁻ comes from k block Gibbs steps
/// started at the batch (CD) or at the persistent chains (PCD), drawn from the global generator the trainer's state
/// saves. Logs the batch's reconstruction error ‖v − E[v | h(v)]‖² per example.
/// </summary>
public sealed class ContrastiveDivergence : ITrainingObjective
{
    private readonly RestrictedBoltzmannMachine rbm;
    private readonly TensorDataset data;
    private readonly BatchSampler batches;
    private readonly int gibbsSteps;
    private readonly double weightDecay;

    public ContrastiveDivergence(RestrictedBoltzmannMachine rbm, TensorDataset data, BatchSampler batches, int gibbsSteps,
        double weightDecay, PersistentChains? chains)
    {
        this.rbm = rbm;
        this.data = data;
        this.batches = batches;
        this.gibbsSteps = gibbsSteps;
        this.weightDecay = weightDecay;
        Chains = chains;
    }

    /// <summary>The persistent chains of PCD; null for CD.</summary>
    public PersistentChains? Chains { get; }

    public TrainingLoss Compute(long step, int micro)
    {
        var positive = data.Batch(batches, step)[0];
        var p = rbm.Parameters;
        Tensor negative;
        double reconstruction;
        using (torch.no_grad())
        {
            var start = Chains?.Visible ?? positive;
            negative = p.Gibbs(start, gibbsSteps).Sample;
            Chains?.Update(negative);
            using var scope = torch.NewDisposeScope();
            var h = p.HiddenProbabilities(positive);
            reconstruction = (positive - p.VisibleMean(h)).pow(2).sum(1).mean().ToDouble();
        }
        var loss = p.FreeEnergy(positive).mean() - p.FreeEnergy(negative).mean();
        if (weightDecay > 0)
            loss = loss + 0.5 * weightDecay * rbm.Weight.pow(2).sum();
        return new TrainingLoss(loss, positive.shape[0], new Dictionary<string, double> { ["reconstruction_error"] = reconstruction });
    }
}
