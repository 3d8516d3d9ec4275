using System.Text.Json.Nodes;
using Loom.Cli;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Latent;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Tests.Latent;

/// <summary>
/// The VAE through the library's training API alone (no CLI, no subprocess): train, stop, resume exactly with the recipe
/// saved in run.json, sample; and the CLI, which only maps flags onto the same recipe, writes the same checkpoint.
/// </summary>
public sealed class VaeTrainingRunTests
{
    private static readonly VaeRecipe Tiny = new()
    {
        Data = "moons", Points = 2000, LatentDim = 2, Hidden = 32, BatchSize = 128, LearningRate = 3e-3, Warmup = 20, Steps = 50,
        CheckpointEvery = 20, EvalK = 5, EvalN = 200, Seed = 1,
    };

    private static TrainingOutcome Train(VaeRecipe recipe, string folder, bool resume = false, long? stopAfter = null)
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        using var stop = new CancellationTokenSource();
        try
        {
            return VaeTrainingRun.Train(recipe, new TrainingContext
            {
                OutputFolder = folder, Resume = resume, Cancellation = stop.Token,
                Progress = stopAfter is { } last ? new CancelAtStep(last, stop) : null,
            });
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    private static byte[] Bytes(string folder, string file) => File.ReadAllBytes(Path.Combine(folder, file));

    [Fact]
    public void A_run_stopped_and_resumed_with_no_settings_equals_the_uninterrupted_run_and_samples()
    {
        using var tmp = new TempFolder();
        using (var whole = Train(Tiny, tmp.File("whole")))
        {
            Assert.False(whole.Interrupted);
            Assert.Equal(50, whole.Metrics["steps"]);
            Assert.True(double.IsFinite(whole.Metrics["test_nll_k5"]) && double.IsFinite(whole.Metrics["test_elbo"]));
            Assert.Contains(whole.Files, f => Path.GetFileName(f) == "samples.png" && File.Exists(f));
            using var samples = (TensorSamples)whole.Model.Sample(new SampleRequest { Count = 5, Seed = 1 });
            Assert.Equal([5L, 2L], samples.Values.shape);
            Assert.True(torch.isfinite(samples.Values).all().item<bool>());
        }
        using (var first = Train(Tiny, tmp.File("parts"), stopAfter: 20))
        {
            Assert.True(first.Interrupted);
            Assert.Equal(20, first.Metrics["steps"]);   // progress (and so the stop) comes at each log entry, every 20 steps
            Assert.False(first.Metrics.ContainsKey("test_elbo"));
        }
        var card = Checkpoint.ReadCard(tmp.File("parts"));
        Assert.Equal("interrupted (cancelled) at step 20; resuming the run continues it", card.Notes);
        // Resuming needs no settings: the recipe comes from run.json.
        using (var rest = Train(new VaeRecipe(), tmp.File("parts"), resume: true)) Assert.Equal(50, rest.Metrics["steps"]);
        foreach (var file in new[] { Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile, RunFolder.RecipeFile })
            Assert.Equal(Bytes(tmp.File("whole"), file), Bytes(tmp.File("parts"), file));
    }

    [Fact]
    public void Resuming_with_a_different_recipe_is_refused_and_unset_properties_take_the_data_preset()
    {
        using var tmp = new TempFolder();
        using (Train(Tiny with { Steps = 4, EvalK = 0 }, tmp.File("run"))) { }
        var changed = Assert.Throws<LoomUsageException>(() => Train(Tiny with { LearningRate = 0.05 }, tmp.File("run"), resume: true));
        Assert.StartsWith("LearningRate: the run in ", changed.Message);
        var added = Assert.Throws<LoomUsageException>(() => Train(new VaeRecipe { ExcludeClass = 3 }, tmp.File("run"), resume: true));
        Assert.StartsWith("ExcludeClass: the run in ", added.Message);
        Assert.Contains("started without it", added.Message);
        using (var longer = Train(new VaeRecipe { Steps = 6, CheckpointEvery = 3 }, tmp.File("run"), resume: true))
            Assert.Equal(6, longer.Metrics["steps"]);

        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("run"), RunFolder.RecipeFile)))!;
        var expected = RecipeJson.ToJson(VaeRecipe.Defaults with
        {
            Data = "moons",
            Points = 2000,
            LatentDim = 2,
            Hidden = 32,
            BatchSize = 128,
            LearningRate = 3e-3,
            Warmup = 20,
            Steps = 6,
            CheckpointEvery = 3,
            EvalK = 0,
            EvalN = 200,
            Seed = 1,
            Likelihood = "gaussian",
        });
        Assert.True(JsonNode.DeepEquals(expected, saved), saved.ToJsonString());
        var images = RecipeJson.ToJson(new VaeRecipe { Data = "fashion-mnist", Conditional = true }.Resolve());
        var imageExpected = RecipeJson.ToJson(VaeRecipe.Defaults with
        {
            Data = "fashion-mnist",
            Conditional = true,
            Likelihood = "bernoulli",
            Hidden = 400,
        });
        Assert.True(JsonNode.DeepEquals(imageExpected, images), images.ToJsonString());
    }

    [Fact]
    public void The_cli_maps_flags_onto_the_recipe_and_writes_the_checkpoint_the_library_writes()
    {
        using var tmp = new TempFolder();
        using (Train(Tiny, tmp.File("library"))) { }
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            int code = LoomCli.Run(["train", "vae", "--data", "moons", "--points", "2000", "--latent-dim", "2", "--hidden", "32",
                "--batch-size", "128", "--lr", "3e-3", "--warmup", "20", "--steps", "50", "--checkpoint-every", "20", "--eval-k", "5",
                "--eval-n", "200", "--seed", "1", "--out", tmp.File("cli")], TextWriter.Null, TextWriter.Null);
            Assert.Equal(0, code);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        string[] files = [Checkpoint.ModelFile, Checkpoint.ConfigFile, Checkpoint.TrainerStateTensorsFile, RunFolder.RecipeFile];
        foreach (var file in files)
            Assert.Equal(Bytes(tmp.File("library"), file), Bytes(tmp.File("cli"), file));
    }

    [Fact]
    public void Train_limit_keeps_the_first_images_of_the_chosen_classes_and_must_not_be_negative()
    {
        using var tmp = new TempFolder();
        var recipe = new VaeRecipe
        {
            Data = "fashion-mnist", Classes = "1", TrainLimit = 20, Hidden = 16, Steps = 2, BatchSize = 8, EvalK = 0, EvalN = 10,
            CheckpointEvery = 0,
        };
        using (Train(recipe, tmp.File("run"))) { }
        Assert.Contains("first=20", Checkpoint.ReadCard(tmp.File("run")).Data[0].Source);
        var error = Assert.Throws<LoomUsageException>(() => (recipe with { TrainLimit = -1 }).Resolve());
        Assert.Equal(nameof(VaeRecipe.TrainLimit), error.Option);
    }
}
