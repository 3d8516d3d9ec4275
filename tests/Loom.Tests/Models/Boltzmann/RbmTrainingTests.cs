using System.Globalization;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Boltzmann;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Boltzmann;

/// <summary>
/// RBM training: the contrastive-divergence gradient points the right way, training raises the exact log-likelihood,
/// the pseudo-likelihood is scikit-learn's formula, a PCD run stopped and resumed equals the uninterrupted one (its
/// chains are saved), and the CLI trains, samples and scores.
/// </summary>
public sealed class RbmTrainingTests
{
    /// <summary>Two 12-bit prototypes with 10% of the bits flipped, 240 rows, as CSV.</summary>
    private static string BinaryCsv(string path)
    {
        var random = new Random(5);
        int[][] prototypes = [[1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1]];
        var lines = Enumerable.Range(0, 240).Select(r => string.Join(",",
            prototypes[r % 2].Select(bit => random.NextDouble() < 0.1 ? 1 - bit : bit)));
        File.WriteAllLines(path, lines);
        return path;
    }

    private static RbmRecipe Small(string data) => new()
    {
        Data = data, Hidden = 6, Epochs = 6, BatchSize = 20, LearningRate = 0.1, Momentum = 0.5, WeightDecay = 0, Seed = 3,
    };

    private static TrainingOutcome Train(RbmRecipe recipe, string folder, bool resume = false, long? stopAfter = null)
    {
        using var stop = new CancellationTokenSource();
        return OneThreadRuns.Run(() => ModelRegistry.Trainable("rbm").Train(RecipeJson.ToJson(recipe), new TrainingContext
        {
            OutputFolder = folder, Resume = resume, Cancellation = stop.Token,
            Progress = stopAfter is { } last ? new CancelAtStep(last, stop) : null,
        }));
    }

    [Fact]
    public void The_cd_gradient_raises_the_data_and_lowers_the_samples()
    {
        var rbm = new RestrictedBoltzmannMachine(8, 4, RbmVisible.Bernoulli);
        var data = torch.ones(16, 8);
        var batches = new BatchSampler(16, 16, 0);
        torch.manual_seed(1);
        var objective = new ContrastiveDivergence(rbm, new TensorDataset(data), batches, 1, 0, null);
        objective.Compute(0, 0).Loss.backward();
        // All-ones data: the model's samples have fewer ones, so −∂loss/∂b = mean(v⁺) − mean(v⁻) ≥ 0 for every unit.
        var biasGrad = rbm.Parameters.VisibleBias.grad!;
        Assert.True(biasGrad.le(0).all().ToBoolean(), biasGrad.ToString(TorchSharp.TensorStringStyle.Julia));
        Assert.True(biasGrad.lt(0).any().ToBoolean());
        // The weight gradient is −(v⁺ᵀ p(h|v⁺) − v⁻ᵀ p(h|v⁻)) / n: for all-ones data it lowers no weight that data and
        // samples agree on, so its sum is non-positive.
        Assert.True(rbm.Weight.grad!.sum().ToDouble() <= 1e-6);
    }

    [Fact]
    public void Training_raises_the_exact_log_likelihood_and_the_pseudo_likelihood()
    {
        using var tmp = new TempFolder();
        var csv = BinaryCsv(tmp.File("bits.csv"));
        using var short_ = Train(Small(csv) with { Epochs = 1, LearningRate = 0.001 }, tmp.File("short"));
        using var longer = Train(Small(csv) with { Epochs = 20 }, tmp.File("long"));
        Assert.True(longer.Metrics["train_mean_log_likelihood"] > short_.Metrics["train_mean_log_likelihood"] + 1,
            $"{longer.Metrics["train_mean_log_likelihood"]} vs {short_.Metrics["train_mean_log_likelihood"]}");
        Assert.True(longer.Metrics["train_pseudo_log_likelihood"] > short_.Metrics["train_pseudo_log_likelihood"]);
        // Two prototypes with 10% noise: entropy 12·H(0.1) + log 2 ≈ 4.59 nats, so a good fit is near −4.6.
        Assert.True(longer.Metrics["train_mean_log_likelihood"] > -6.5, $"{longer.Metrics["train_mean_log_likelihood"]}");
        var loaded = (RbmModel)Checkpoint.Load(tmp.File("long"));
        Assert.Equal("exact", loaded.Config.LogPartition!.Method);
        using var rows = NumericCsv.ReadMatrix(csv).to(ScalarType.Float32);
        NumericAssert.Close(-longer.Metrics["train_mean_log_likelihood"], loaded.ExampleNll(rows).mean().ToDouble(), 1e-6, 1e-6);
    }

    [Fact]
    public void Pseudo_likelihood_is_scikit_learns_formula()
    {
        var p = RbmNaive.Random(7, 4, RbmVisible.Bernoulli, 0.7, 9);
        using var g = new torch.Generator(4);
        var v = torch.bernoulli(torch.full([5, 7], 0.5, ScalarType.Float64), generator: g);
        var units = torch.tensor(new long[] { 0, 3, 6, 2, 3 });
        var scores = PseudoLikelihood.Score(p, v, units).data<double>().ToArray();
        for (int r = 0; r < 5; r++)
        {
            var row = v[r].data<double>().ToArray();
            var flipped = (double[])row.Clone();
            int i = (int)units[r].ToInt64();
            flipped[i] = 1 - flipped[i];
            // score_samples: n_features · log_logistic(F(ṽ) − F(v)).
            double x = RbmNaive.FreeEnergy(p, flipped) - RbmNaive.FreeEnergy(p, row);
            double expected = 7 * -Math.Log(1 + Math.Exp(-x));
            NumericAssert.Close(expected, scores[r], relative: 1e-10, absolute: 1e-10);
        }
    }

    [Fact]
    public void A_pcd_run_stopped_and_resumed_equals_the_uninterrupted_run()
    {
        using var tmp = new TempFolder();
        var recipe = Small(BinaryCsv(tmp.File("bits.csv"))) with { Method = "pcd", K = 2, CheckpointEvery = 20 };
        using (Train(recipe, tmp.File("whole"))) { }
        using (var first = Train(recipe, tmp.File("parts"), stopAfter: 30)) Assert.True(first.Interrupted);
        using (var rest = Train(new RbmRecipe { Data = recipe.Data }, tmp.File("parts"), resume: true)) Assert.False(rest.Interrupted);
        OneThreadRuns.AssertSameFiles(tmp.File("whole"), tmp.File("parts"), Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile);
        var state = Checkpoint.ReadTrainerState(tmp.File("whole"));
        Assert.Equal([20, 12], state.Tensors[PersistentChains.StatePrefix + "visible"].shape);
    }

    [Fact]
    public void Gaussian_units_train_on_real_data_and_score_it_on_its_own_scale()
    {
        using var tmp = new TempFolder();
        var random = new Random(2);
        var csv = tmp.File("real.csv");
        File.WriteAllLines(csv, Enumerable.Range(0, 200).Select(_ => string.Join(",",
            Enumerable.Range(0, 4).Select(j => (10 + 3 * j + (j + 1) * (random.NextDouble() - 0.5))
                .ToString(CultureInfo.InvariantCulture)))));
        using var outcome = Train(Small(csv) with { Hidden = 4, LearningRate = 0.01 }, tmp.File("g"));
        var model = (RbmModel)outcome.Model;
        Assert.Equal(RbmVisible.Gaussian, model.Config.Visible);
        var report = model.Score(csv);
        Assert.Equal(200, report.Units);
        NumericAssert.Close(-outcome.Metrics["train_mean_log_likelihood"], report.NllPerUnit, 1e-6, 1e-6);
        var samples = (TensorSamples)model.Sample(new SampleRequest { Count = 50, Seed = 1 });
        // Samples come back on the data's scale (column means 10, 13, 16, 19).
        Assert.True((samples.Values.mean([0]) - torch.tensor(new float[] { 10, 13, 16, 19 })).abs().max().ToDouble() < 2.5);
    }

    [Fact]
    public void Bad_recipes_name_the_option()
    {
        static string Error(RbmRecipe recipe) => Assert.Throws<LoomUsageException>(() => (recipe with { Data = "x" }).Resolve()).Message;
        Assert.StartsWith("Method:", Error(new RbmRecipe { Method = "gibbs" }));
        Assert.StartsWith("K:", Error(new RbmRecipe { K = 0 }));
        Assert.StartsWith("Visible:", Error(new RbmRecipe { Visible = "ising" }));
        Assert.StartsWith("AisBetas:", Error(new RbmRecipe { AisBetas = 1 }));
    }
}
