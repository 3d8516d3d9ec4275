using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Mixture;
using Loom.Tests.Support;
using Loom.Training.Runs;

namespace Loom.Tests.Mixture;

/// <summary>
/// Gaussian mixtures through the library's training API alone: EM fits and writes the checkpoint; SGD stops as Ctrl-C
/// would and resumes exactly with the recipe saved in run.json; and the CLI, which only maps flags onto the same
/// recipe, writes the same checkpoint for both methods.
/// </summary>
public sealed class GaussianMixtureTrainingRunTests
{
    private static readonly GaussianMixtureRecipe Sgd = new()
    {
        Data = "8gaussians", Points = 1000, Components = 8, Method = "sgd", Steps = 40, BatchSize = 128, LrSchedule = "cosine", Warmup = 5,
        Ema = 0.9, CheckpointEvery = 15, Seed = 4,
    };

    private static readonly GaussianMixtureRecipe Em = new() { Data = "8gaussians", Points = 1000, Components = 8, NInit = 2, Seed = 4 };

    private static readonly string[] CheckpointFiles = [Checkpoint.ModelFile, Checkpoint.ConfigFile, RunFolder.RecipeFile];

    private static TrainingOutcome Train(GaussianMixtureRecipe recipe, string folder, bool resume = false, long? stopAfter = null)
    {
        using var stop = new CancellationTokenSource();
        return OneThreadRuns.Run(() => ModelRegistry.Trainable("gmm").Train(RecipeJson.ToJson(recipe), new TrainingContext
        {
            OutputFolder = folder, Resume = resume, Cancellation = stop.Token,
            Progress = stopAfter is { } last ? new CancelAtStep(last, stop) : null,
        }));
    }

    [Fact]
    public void Em_fits_the_mixture_and_writes_a_checkpoint_that_loads()
    {
        using var tmp = new TempFolder();
        using var outcome = Train(Em, tmp.File("em"));
        Assert.False(outcome.Interrupted);
        Assert.Equal(1, outcome.Metrics["converged"]);
        Assert.True(outcome.Metrics["heldout_mean_log_likelihood"] > -4, $"held-out {outcome.Metrics["heldout_mean_log_likelihood"]}");
        Assert.Contains(Path.Combine(tmp.File("em"), "samples.png"), outcome.Files);
        using var loaded = (GaussianMixture)Checkpoint.Load(tmp.File("em"));
        var fitted = (GaussianMixture)outcome.Model;
        Assert.True(loaded.Means.allclose(fitted.Means, rtol: 0, atol: 0));
        var error = Assert.Throws<LoomUsageException>(() => Train(Em, tmp.File("em"), resume: true));
        Assert.StartsWith("Resume: only method sgd", error.Message);
    }

    [Fact]
    public void An_sgd_run_stopped_and_resumed_with_no_settings_equals_the_uninterrupted_run()
    {
        using var tmp = new TempFolder();
        using (var whole = Train(Sgd, tmp.File("whole"))) Assert.Equal(40, whole.Metrics["n_iter"]);
        using (var first = Train(Sgd, tmp.File("parts"), stopAfter: 20))
        {
            Assert.True(first.Interrupted);
            Assert.Equal(20, first.Metrics["n_iter"]);
        }
        using (var rest = Train(new GaussianMixtureRecipe(), tmp.File("parts"), resume: true)) Assert.Equal(40, rest.Metrics["n_iter"]);
        OneThreadRuns.AssertSameFiles(tmp.File("whole"), tmp.File("parts"), Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile);
    }

    [Fact]
    public void Resuming_sgd_with_a_different_recipe_is_refused_and_unset_properties_take_the_defaults()
    {
        using var tmp = new TempFolder();
        using (Train(Sgd with { Steps = 5 }, tmp.File("run"))) { }
        var error = Assert.Throws<LoomUsageException>(() => Train(Sgd with { LearningRate = 0.5 }, tmp.File("run"), resume: true));
        Assert.StartsWith("LearningRate: the run in ", error.Message);
        var data = Assert.Throws<LoomDataException>(() => Train(Sgd with { Points = 1200 }, tmp.File("run"), resume: true));
        Assert.StartsWith("Resume: the data differs", data.Message);
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("run"), RunFolder.RecipeFile)))!;
        var expected = RecipeJson.ToJson(GaussianMixtureRecipe.Defaults with
        {
            Data = "8gaussians",
            Points = 1000,
            Method = "sgd",
            Steps = 5,
            BatchSize = 128,
            Warmup = 5,
            Ema = 0.9,
            CheckpointEvery = 15,
            Seed = 4,
        });
        Assert.True(JsonNode.DeepEquals(expected, saved), saved.ToJsonString());
    }

    [Fact]
    public void The_cli_maps_flags_onto_the_recipe_and_writes_the_checkpoints_the_library_writes()
    {
        using var tmp = new TempFolder();
        using (Train(Sgd, tmp.File("sgd-library"))) { }
        OneThreadRuns.Cli("train", "gmm", "--data", "8gaussians", "--points", "1000", "--components", "8", "--method", "sgd",
            "--steps", "40", "--batch-size", "128", "--schedule", "cosine", "--warmup", "5", "--ema", "0.9", "--checkpoint-every", "15",
            "--seed", "4", "--out", tmp.File("sgd-cli"));
        OneThreadRuns.AssertSameFiles(tmp.File("sgd-library"), tmp.File("sgd-cli"),
            [.. CheckpointFiles, Checkpoint.TrainerStateTensorsFile]);
        using (Train(Em, tmp.File("em-library"))) { }
        OneThreadRuns.Cli("train", "gmm", "--data", "8gaussians", "--points", "1000", "-k", "8", "--n-init", "2", "--seed", "4",
            "--out", tmp.File("em-cli"));
        OneThreadRuns.AssertSameFiles(tmp.File("em-library"), tmp.File("em-cli"), CheckpointFiles);
    }
}
