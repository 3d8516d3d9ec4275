using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Privacy;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Training;

/// <summary>DP-SGD in the shared trainer: no noise and no clipping is an ordinary step, clipping bounds each example's
/// contribution, the accountant's ε reaches the card and survives a resume.</summary>
public class DpSgdTrainerTests
{
    private const int Count = 40;
    private static readonly Tensor X = torch.randn([Count, 3], generator: new Generator(1)).DetachFromDisposeScope();
    private static readonly Tensor Y = torch.randn([Count, 1], generator: new Generator(2)).DetachFromDisposeScope();

    private static nn.Module<Tensor, Tensor> Model(long seed)
    {
        torch.manual_seed(seed);
        return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1));
    }

    /// <summary>Squared error per example on the examples <paramref name="pick"/> chooses for a step.</summary>
    private static ITrainingObjective Objective(nn.Module<Tensor, Tensor> model, Func<long, Tensor> pick, bool perExample = true) =>
        new DelegateObjective((step, _) =>
        {
            var idx = pick(step);
            var losses = (model.call(X.index_select(0, idx)) - Y.index_select(0, idx)).pow(2).sum(1);
            return new TrainingLoss(losses.mean(), idx.shape[0], PerExampleLoss: perExample ? losses : null);
        });

    private static Tensor FixedBatch(long step) => torch.arange(step * 8 % Count, step * 8 % Count + 8);

    private static TrainingPhase Phase(nn.Module<Tensor, Tensor> model, ITrainingObjective objective, double lr = 0.1) =>
        new("main", objective, model.parameters().ToList(), new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = lr },
            Model: model);

    private static PrivateTraining Dp(double? noise, double clip, double rate = 0.2, double expected = 8, double? epsilon = null) =>
        new(new DpOptions { NoiseMultiplier = noise, TargetEpsilon = epsilon, MaxGradNorm = clip, Delta = 1e-5 }, rate, expected);

    [Fact]
    public void WithoutNoiseOrClippingADpStepIsAnOrdinaryStep()
    {
        var plain = Model(3);
        var dp = Model(3);
        using (var trainer = new Trainer([Phase(plain, Objective(plain, FixedBatch))], new TrainerOptions { Steps = 3 }))
            trainer.Run();
        using (var trainer = new Trainer([Phase(dp, Objective(dp, FixedBatch))],
            new TrainerOptions { Steps = 3, Privacy = Dp(noise: 0, clip: 1e9) }))
            trainer.Run();
        foreach (var (a, b) in plain.parameters().Zip(dp.parameters()))
            Assert.True((a - b).abs().max().ToDouble() < 1e-6, "parameters differ");
    }

    [Fact]
    public void ClippingBoundsEachExamplesGradient()
    {
        const double clip = 0.05;
        for (long example = 0; example < 5; example++)
        {
            var model = Model(4);
            var before = model.parameters().Select(p => p.detach().clone()).ToList();
            long chosen = example;
            using var trainer = new Trainer([Phase(model, Objective(model, _ => torch.tensor(new[] { chosen })), lr: 1)],
                new TrainerOptions { Steps = 1, Privacy = Dp(noise: 0, clip: clip, expected: 1) });
            trainer.Run();
            double norm = Math.Sqrt(model.parameters().Zip(before).Sum(p => (p.First - p.Second).pow(2).sum().ToDouble()));
            Assert.True(norm <= clip * (1 + 1e-4), $"example {example}: update norm {norm} over the clip {clip}");
            Assert.True(norm > clip * 0.99, $"example {example}: a large gradient should be clipped to exactly C, got {norm}");
        }
        // A batch of 8 examples moves the parameters by at most 8·C / expected batch.
        var batchModel = Model(5);
        var start = batchModel.parameters().Select(p => p.detach().clone()).ToList();
        using (var trainer = new Trainer([Phase(batchModel, Objective(batchModel, FixedBatch), lr: 1)],
            new TrainerOptions { Steps = 1, Privacy = Dp(noise: 0, clip: clip, expected: 8) }))
            trainer.Run();
        double moved = Math.Sqrt(batchModel.parameters().Zip(start).Sum(p => (p.First - p.Second).pow(2).sum().ToDouble()));
        Assert.True(moved <= clip * (1 + 1e-4), $"batch update {moved}");
    }

    [Fact]
    public void TheAccountantsEpsilonReachesTheCardAndSurvivesAResume()
    {
        Tensor Poisson(long step) => PoissonSampling.Indices(Count, 0.2, 7, step);
        var model = Model(6);
        var options = new TrainerOptions { Steps = 10, Privacy = Dp(noise: 1.1, clip: 1) };
        TrainerStateFiles state;
        using (var first = new Trainer([Phase(model, Objective(model, Poisson))], options with { Steps = 4 }))
        {
            first.Run();
            state = first.CaptureState();
            Assert.Equal(4, first.PrivacySpent!.Steps);
        }
        using var resumed = new Trainer([Phase(model, Objective(model, Poisson))], options);
        resumed.RestoreState(state);
        resumed.Run();
        var card = resumed.PrivacySpent!;
        Assert.Equal(10, card.Steps);
        Assert.Equal(RdpAccountant.Epsilon(1.1, 0.2, 10, 1e-5).Epsilon, card.Epsilon!.Value, 9);
        Assert.Equal(1.1, card.NoiseMultiplier);
        Assert.Equal(0.2, card.SampleRate);
        Assert.Equal(1.0, card.MaxGradNorm);
        var json = new ModelCard { Privacy = card }.ToJson();
        Assert.Contains("\"epsilon\"", json);
        Assert.DoesNotContain("\"privacy\"", new ModelCard().ToJson());
    }

    [Fact]
    public void ATargetEpsilonPicksTheNoiseForTheWholeRun()
    {
        var model = Model(7);
        using var trainer = new Trainer([Phase(model, Objective(model, s => PoissonSampling.Indices(Count, 0.2, 1, s)))],
            new TrainerOptions { Steps = 20, Privacy = Dp(noise: null, clip: 1, epsilon: 4) });
        trainer.Run();
        Assert.InRange(trainer.PrivacySpent!.Epsilon!.Value, 3.9, 4.0);
        Assert.Equal(NoiseCalibration.ForTarget(4, 1e-5, 0.2, 20).NoiseMultiplier, trainer.NoiseMultiplier!.Value, 12);
    }

    [Fact]
    public void AnEmptyPoissonBatchIsANoiseOnlyStep()
    {
        var model = Model(8);
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        using var trainer = new Trainer([Phase(model, Objective(model, _ => torch.zeros(0, dtype: ScalarType.Int64)))],
            new TrainerOptions { Steps = 1, Privacy = Dp(noise: 1, clip: 1) });
        var result = trainer.Run();
        Assert.Equal(1, result.Steps);
        Assert.True(model.parameters().Zip(before).Any(p => (p.First - p.Second).abs().max().ToDouble() > 0), "noise moves the weights");
        Assert.Equal(1, trainer.PrivacySpent!.Steps);
    }

    [Fact]
    public void MissingPerExampleLossesAndUnsupportedLayersAreRefused()
    {
        var model = Model(9);
        using var trainer = new Trainer([Phase(model, Objective(model, FixedBatch, perExample: false))],
            new TrainerOptions { Steps = 1, Privacy = Dp(noise: 1, clip: 1) });
        var error = Assert.Throws<LoomUsageException>(() => trainer.Run());
        Assert.Contains("per-example losses", error.Message);

        torch.manual_seed(1);
        var withNorm = nn.Sequential(("fc", nn.Linear(3, 4)), ("bn", nn.BatchNorm1d(4)));
        var refused = Assert.Throws<LoomUsageException>(() => new Trainer([Phase(withNorm, Objective(withNorm, FixedBatch))],
            new TrainerOptions { Steps = 1, Privacy = Dp(noise: 1, clip: 1) }));
        Assert.Contains("'bn'", refused.Message);
    }

    [Fact]
    public void ALayerRunThroughForwardInsteadOfCallIsRefusedNotSilentlyDropped()
    {
        torch.manual_seed(2);
        var model = new Bypass(nn.Linear(3, 1));
        var error = Assert.Throws<LoomUsageException>(() =>
        {
            using var trainer = new Trainer([Phase(model, Objective(model, FixedBatch))],
                new TrainerOptions { Steps = 1, Privacy = Dp(noise: 0, clip: 1) });
            trainer.Run();
        });
        Assert.Contains("call()", error.Message);
    }

    private sealed class Bypass : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;

        public Bypass(nn.Module<Tensor, Tensor> inner) : base("bypass")
        {
            this.inner = inner;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => inner.forward(input);
    }

    [Theory]
    [InlineData(null, null, 1.0, 1e-5, "TargetEpsilon")]
    [InlineData(1.0, 2.0, 1.0, 1e-5, "TargetEpsilon")]
    [InlineData(-1.0, null, 1.0, 1e-5, "NoiseMultiplier")]
    [InlineData(1.0, null, 0.0, 1e-5, "MaxGradNorm")]
    [InlineData(1.0, null, 1.0, 1.0, "Delta")]
    public void BadDpOptionsNameTheOption(double? noise, double? epsilon, double clip, double delta, string option)
    {
        var options = new DpOptions { NoiseMultiplier = noise, TargetEpsilon = epsilon, MaxGradNorm = clip, Delta = delta };
        Assert.Equal(option, Assert.Throws<LoomUsageException>(options.Validate).Option);
        var accumulate = new TrainerOptions { AccumulationSteps = 2, Privacy = Dp(noise: 1, clip: 1) };
        Assert.Equal("AccumulationSteps", Assert.Throws<LoomUsageException>(accumulate.Validate).Option);
    }
}
