using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Energy;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Energy;

/// <summary>
/// The energy-based model's parts: SGLD samples a known Gaussian energy, the input gradient SGLD follows is the finite
/// difference of the energy, the replay buffer restarts the asked fraction and keeps its size, training makes the data's
/// energy lower than noise's, checkpoints round-trip, and a run stopped and resumed equals the uninterrupted one (the
/// replay buffer is part of its saved state).
/// </summary>
public sealed class EnergyModelTests
{
    private static EnergyRecipe Tiny(string data = "8gaussians") => new()
    {
        Data = data, Points = 500, Hidden = 32, Layers = 2, SgldSteps = 10, BufferSize = 500, BatchSize = 64, Steps = 150,
        SampleSteps = 50, Seed = 4,
    };

    private static TrainingOutcome Train(EnergyRecipe recipe, string folder, bool resume = false, long? stopAfter = null)
    {
        using var stop = new CancellationTokenSource();
        return OneThreadRuns.Run(() => ModelRegistry.Trainable("ebm").Train(RecipeJson.ToJson(recipe), new TrainingContext
        {
            OutputFolder = folder, Resume = resume, Cancellation = stop.Token,
            Progress = stopAfter is { } last ? new CancelAtStep(last, stop) : null,
        }));
    }

    [Fact]
    public void Sgld_on_a_gaussian_energy_matches_its_mean_and_variance()
    {
        // E(x) = |x − μ|² / (2σ²): SGLD with noise √ε targets N(μ, σ²I). With ε = 1e-3 and σ² = 0.25 the chain's own
        // stationary variance is ε / (1 − (1 − ε/(2σ²))²) = 0.25025, a 0.1% bias; 3000 steps are six mixing times
        // (1 / (ε/(2σ²)) = 500 steps). Over 4000 chains the standard errors are σ/√n ≈ 0.008 for a mean and
        // σ²√(2/n) ≈ 0.0056 for a variance; the tolerances are five of them.
        double[] mu = [1.0, -2.0];
        const double sigma2 = 0.25;
        using var mean = torch.tensor(mu, ScalarType.Float64);
        Tensor Energy(Tensor x) => (x - mean).square().sum(1) / (2 * sigma2);
        using var start = torch.rand([4000, 2], ScalarType.Float64, generator: new Generator(7)) * 6 - 3;
        var options = new SgldOptions { Steps = 3000, StepSize = 1e-3, Noise = Math.Sqrt(1e-3) };
        using var x = Langevin.Run(Energy, start, options, new Generator(8));
        for (int d = 0; d < 2; d++)
        {
            var column = x[.., d];
            Assert.InRange(column.mean().ToDouble(), mu[d] - 0.04, mu[d] + 0.04);
            Assert.InRange(column.var().ToDouble(), sigma2 - 0.028, sigma2 + 0.028);
        }
    }

    [Fact]
    public void The_input_gradient_equals_finite_differences_of_the_energy()
    {
        torch.manual_seed(3);
        using var model = new EnergyModel(new EnergyConfig { Hidden = 16, Layers = 2, SpectralNorm = true, Low = -4, High = 4 });
        model.Network.to(ScalarType.Float64).eval();
        using var x = torch.randn([5, 2], ScalarType.Float64, generator: new Generator(1));
        Tensor Energy(Tensor v) => model.Network.forward(v);
        using var grad = Langevin.Gradient(Energy, x);
        const double h = 1e-6;
        using var noGrad = torch.no_grad();
        for (int d = 0; d < 2; d++)
        {
            using var step = torch.zeros_like(x);
            step[.., d] = torch.tensor(h, ScalarType.Float64);
            using var numeric = (Energy(x + step) - Energy(x - step)) / (2 * h);
            double error = (numeric - grad[.., d]).abs().max().ToDouble();
            Assert.True(error < 1e-6 * (1 + numeric.abs().max().ToDouble()), $"max |finite difference − autograd| = {error}");
        }
        Assert.True(grad.abs().sum().ToDouble() > 0);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(1.0)]
    public void The_replay_buffer_restarts_the_asked_fraction_and_keeps_its_size(double reinit)
    {
        using var buffer = new ReplayBuffer(300, [2], -1, 1, new Generator(2));
        Assert.True(buffer.Samples.ge(-1).all().ToBoolean() && buffer.Samples.le(1).all().ToBoolean());
        buffer.Samples.fill_(5);   // outside the noise range, so a restarted chain shows
        var (states, slots, restarted) = buffer.Draw(4000, reinit, new Generator(3));
        var fresh = states.ne(5).all(1);
        Assert.Equal(restarted, fresh.sum().ToInt64());
        // Binomial(4000, p): four standard errors of the fraction.
        double se = Math.Sqrt(reinit * (1 - reinit) / 4000);
        Assert.InRange(restarted / 4000.0, reinit - 4 * se - 1e-9, reinit + 4 * se + 1e-9);
        Assert.True(states.index_select(0, fresh.nonzero().reshape(-1)).abs().le(1).all().ToBoolean());
        Assert.True(slots.ge(0).all().ToBoolean() && slots.lt(300).all().ToBoolean());
        buffer.Store(slots, torch.zeros_like(states));
        Assert.Equal([300L, 2], buffer.Samples.shape);
        // Every slot drawn now holds zeros; the others still hold 5.
        var drawn = torch.zeros(300, ScalarType.Bool).index_fill_(0, slots, true);
        Assert.True(buffer.Samples.index_select(0, drawn.nonzero().reshape(-1)).eq(0).all().ToBoolean());
        Assert.True(buffer.Samples.index_select(0, drawn.logical_not().nonzero().reshape(-1)).eq(5).all().ToBoolean());
    }

    [Fact]
    public void Training_lowers_the_energy_of_data_relative_to_noise()
    {
        using var tmp = new TempFolder();
        using var start = Train(Tiny() with { Steps = 1 }, tmp.File("start"));
        using var trained = Train(Tiny(), tmp.File("trained"));
        Assert.True(trained.Metrics["energy_gap"] > 0.5, $"gap {trained.Metrics["energy_gap"]}");
        Assert.True(trained.Metrics["energy_gap"] > start.Metrics["energy_gap"] + 0.5,
            $"{trained.Metrics["energy_gap"]} vs {start.Metrics["energy_gap"]}");
    }

    [Fact]
    public void A_checkpoint_round_trips_and_a_resumed_run_equals_the_uninterrupted_one()
    {
        using var tmp = new TempFolder();
        var recipe = Tiny() with { Steps = 30, CheckpointEvery = 10, SpectralNorm = true };
        using (var whole = Train(recipe, tmp.File("whole")))
        {
            var model = (EnergyModel)whole.Model;
            using var loaded = (EnergyModel)Checkpoint.Load(tmp.File("whole"));
            // Three layers, each a weight, a bias and the two power-iteration vectors.
            Assert.Equal(12, loaded.GetState().Count);
            Assert.Equal(model.GetState().Count, loaded.GetState().Count);
            Assert.Equal(model.Config, loaded.Config);
            using var x = torch.randn([20, 2], generator: new Generator(5));
            using var noGrad = torch.no_grad();
            model.Network.eval();
            Assert.Equal(0, (model.Energy(x) - loaded.Energy(x)).abs().max().ToDouble());
        }
        using (var first = Train(recipe, tmp.File("parts"), stopAfter: 15)) Assert.True(first.Interrupted);
        using (var rest = Train(new EnergyRecipe { Data = recipe.Data }, tmp.File("parts"), resume: true)) Assert.False(rest.Interrupted);
        OneThreadRuns.AssertSameFiles(tmp.File("whole"), tmp.File("parts"), Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile);
        var state = Checkpoint.ReadTrainerState(tmp.File("whole"));
        Assert.Equal([500L, 2], state.Tensors["replay.samples"].shape);
    }

    [Fact]
    public void Bad_recipes_name_the_property()
    {
        Assert.Contains("Reinit", Assert.Throws<LoomUsageException>(() => (Tiny() with { Reinit = 1.5 }).Resolve()).Message);
        Assert.Contains("Alpha", Assert.Throws<LoomUsageException>(() => (Tiny() with { Alpha = -1 }).Resolve()).Message);
        Assert.Contains("StepSize", Assert.Throws<LoomUsageException>(() => (Tiny() with { StepSize = 0 }).Resolve()).Message);
        Assert.Contains("BufferSize", Assert.Throws<LoomUsageException>(() => (Tiny() with { BufferSize = 0 }).Resolve()).Message);
    }
}
