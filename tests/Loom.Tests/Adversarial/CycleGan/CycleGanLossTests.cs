using Loom.Data;
using Loom.Models.Adversarial.CycleGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial.CycleGan;

public class CycleGanLossTests
{
    [Fact]
    public void Least_squares_losses_on_fixed_logits()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.tensor(new float[] { 0.5f, 1.5f, -1f });
        // real: ((0.5−1)² + (1.5−1)² + (−1−1)²)/3 = 4.5/3; fake: (0.25 + 2.25 + 1)/3 = 3.5/3
        Assert.Equal(1.5, CycleGanLosses.LeastSquares(logits, real: true).ToDouble(), 6);
        Assert.Equal(3.5 / 3, CycleGanLosses.LeastSquares(logits, real: false).ToDouble(), 6);
        var fake = torch.tensor(new float[] { 0f, 2f });   // fake → 0: (0 + 4)/2 = 2
        Assert.Equal(0.5 * (1.5 + 2), CycleGanLosses.Discriminator(logits, fake).ToDouble(), 6);
    }

    [Fact]
    public void Cycle_and_identity_terms_are_mean_absolute_differences()
    {
        using var scope = torch.NewDisposeScope();
        var original = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2);
        var reconstructed = torch.tensor(new float[] { 1.5f, 2, 2, 6 }).reshape(1, 1, 2, 2);
        Assert.Equal((0.5 + 0 + 1 + 2) / 4, CycleGanLosses.MeanAbsolute(reconstructed, original).ToDouble(), 6);
        Assert.Equal(0, CycleGanLosses.MeanAbsolute(original, original).ToDouble());
    }

    [Fact]
    public void Phase_losses_match_the_terms_computed_by_hand()
    {
        CycleGanTestData.SingleThreaded(() =>
        {
            torch.manual_seed(4);
            using var scope = torch.NewDisposeScope();
            var (a, b) = CycleGanTestData.ModelSpaceDomains(6);
            using var networks = new CycleGanNetworks(CycleGanTestData.Tiny());
            // One batch holds the whole domain (in a shuffled order, which no mean depends on).
            var options = new CycleGanTrainingOptions { BatchSize = 6, CycleWeight = 10, IdentityWeight = 0.5, PoolSize = 10 };
            using var training = new CycleGanTraining(networks, new TensorDataset(a), new TensorDataset(b), options, CPU);
            var generators = training.Phases[0].Objective.Compute(0, 0);
            var discriminators = training.Phases[1].Objective.Compute(0, 0);

            using var noGrad = torch.no_grad();
            var gAB = networks.GeneratorAtoB;
            var gBA = networks.GeneratorBtoA;
            double cycle =
                (gBA.forward(gAB.forward(a)) - a).abs().mean().ToDouble() + (gAB.forward(gBA.forward(b)) - b).abs().mean().ToDouble();
            double identity = (gAB.forward(b) - b).abs().mean().ToDouble() + (gBA.forward(a) - a).abs().mean().ToDouble();
            double adversarial = (networks.DiscriminatorB.forward(gAB.forward(a)) - 1).square().mean().ToDouble()
                               + (networks.DiscriminatorA.forward(gBA.forward(b)) - 1).square().mean().ToDouble();
            Assert.Equal(cycle, generators.Metrics!["cycle"], 4);
            Assert.Equal(identity, generators.Metrics["identity"], 4);
            Assert.Equal(adversarial, generators.Metrics["adversarial"], 4);
            Assert.Equal(adversarial + 10 * cycle + 0.5 * 10 * identity, generators.Loss.ToDouble(), 3);
            Assert.Equal(12, generators.Examples);

            // The pool is still filling, so the discriminators see exactly this step's fakes.
            double dA = 0.5 * ((networks.DiscriminatorA.forward(a) - 1).square().mean().ToDouble()
                + networks.DiscriminatorA.forward(gBA.forward(b)).square().mean().ToDouble());
            double dB = 0.5 * ((networks.DiscriminatorB.forward(b) - 1).square().mean().ToDouble()
                + networks.DiscriminatorB.forward(gAB.forward(a)).square().mean().ToDouble());
            Assert.Equal(dA, discriminators.Metrics!["d_a"], 4);
            Assert.Equal(dB, discriminators.Metrics["d_b"], 4);
            Assert.Equal(dA + dB, discriminators.Loss.ToDouble(), 4);
            Assert.Equal(6, training.PoolA.Count);
        });
    }

    [Fact]
    public void Identity_weight_zero_drops_the_identity_terms()
    {
        CycleGanTestData.SingleThreaded(() =>
        {
            torch.manual_seed(5);
            using var scope = torch.NewDisposeScope();
            var (a, b) = CycleGanTestData.ModelSpaceDomains(4, seed: 3);
            using var networks = new CycleGanNetworks(CycleGanTestData.Tiny());
            using var training = new CycleGanTraining(networks, new TensorDataset(a), new TensorDataset(b),
                new CycleGanTrainingOptions { BatchSize = 4, CycleWeight = 3, IdentityWeight = 0 }, CPU);
            var result = training.Phases[0].Objective.Compute(0, 0);
            Assert.False(result.Metrics!.ContainsKey("identity"));
            Assert.Equal(result.Metrics["adversarial"] + 3 * result.Metrics["cycle"], result.Loss.ToDouble(), 4);
        });
    }
}
