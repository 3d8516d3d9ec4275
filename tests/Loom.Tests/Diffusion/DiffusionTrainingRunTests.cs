using Loom.Cli;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Diffusion;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Tests.Diffusion;

/// <summary>
/// Diffusion through the library's training API alone (no CLI, no subprocess): train, resume exactly with the recipe
/// saved in run.json, sample; and the CLI, which only maps flags onto the same recipe, writes the same checkpoint.
/// </summary>
public sealed class DiffusionTrainingRunTests
{
    private static readonly DiffusionRecipe Tiny = new()
    {
        Data = "8gaussians", Points = 2000, Steps = 16, BatchSize = 64, Width = 32, Layers = 1, Ema = 0.9, CheckpointEvery = 8, Seed = 3,
    };

    private static TrainingOutcome Train(DiffusionRecipe recipe, string folder, bool resume = false, long? stopAfter = null)
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        using var stop = new CancellationTokenSource();
        try
        {
            return DiffusionTrainingRun.Train(recipe, new TrainingContext
            {
                OutputFolder = folder, Resume = resume, Cancellation = stop.Token,
                Progress = stopAfter is { } last ? new StopAfter(last, stop) : null,
            });
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    [Fact]
    public void A_run_stopped_and_resumed_with_no_settings_equals_the_uninterrupted_run_and_samples()
    {
        using var tmp = new TempFolder();
        using (var whole = Train(Tiny, tmp.File("whole")))
        {
            Assert.False(whole.Interrupted);
            Assert.Equal(16, whole.Metrics["steps"]);
            using var samples = (TensorSamples)whole.Model.Sample(new SampleRequest { Count = 5, Seed = 1 });
            Assert.Equal([5L, 2L], samples.Values.shape);
            Assert.True(torch.isfinite(samples.Values).all().item<bool>());
        }
        using (var first = Train(Tiny, tmp.File("parts"), stopAfter: 10))
        {
            Assert.True(first.Interrupted);
            Assert.Equal(10, first.Metrics["steps"]);  // progress (and so the stop) comes every 10 steps
        }
        // Resuming needs no settings: the recipe comes from run.json.
        using (var rest = Train(new DiffusionRecipe(), tmp.File("parts"), resume: true)) Assert.Equal(16, rest.Metrics["steps"]);
        Assert.Equal(File.ReadAllBytes(Path.Combine(tmp.File("whole"), Checkpoint.ModelFile)),
            File.ReadAllBytes(Path.Combine(tmp.File("parts"), Checkpoint.ModelFile)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tmp.File("whole"), Checkpoint.TrainerStateTensorsFile)),
            File.ReadAllBytes(Path.Combine(tmp.File("parts"), Checkpoint.TrainerStateTensorsFile)));
    }

    /// <summary>Cancels the run once the trainer reports step <paramref name="last"/> (as Ctrl-C would).</summary>
    private sealed class StopAfter(long last, CancellationTokenSource stop) : Loom.Training.ITrainingProgress
    {
        public void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta)
        {
            if (step >= last)
                stop.Cancel();
        }
    }

    [Fact]
    public void Resuming_with_a_different_recipe_is_refused_and_unset_properties_take_the_data_preset()
    {
        using var tmp = new TempFolder();
        using (Train(Tiny with { Steps = 4 }, tmp.File("run"))) { }
        var error = Assert.Throws<LoomUsageException>(() => Train(Tiny with { LearningRate = 0.05 }, tmp.File("run"), resume: true));
        Assert.StartsWith("LearningRate: the run in ", error.Message);
        var saved = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("run"), RunFolder.RecipeFile)))!;
        var expected = RecipeJson.ToJson(Tiny with
        {
            Steps = 4,
            Conditional = false,
            LearningRate = 1e-3,
            Warmup = 200,
            LrSchedule = "constant",
            NoiseSchedule = "linear",
            Timesteps = 1000,
            Prediction = "epsilon",
            MinSnr = 0,
            LabelDropout = 0.1,
            Flip = false,
            BaseChannels = 32,
            Multipliers = [1, 2, 2],
            ResBlocks = 1,
            Attention = [2],
            Dropout = 0,
            Sampler = "ddim",
            SamplerSteps = 50,
            Guidance = 3,
        });
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(expected, saved), saved.ToJsonString());
        var images = RecipeJson.ToJson(new DiffusionRecipe { Data = "fashion-mnist" }.Resolve(images: true));
        var imageExpected = RecipeJson.ToJson(DiffusionRecipe.Defaults with
        {
            Data = "fashion-mnist",
            Steps = 5000,
            BatchSize = 64,
            LearningRate = 8e-4,
            LrSchedule = "cosine",
            NoiseSchedule = "cosine",
            Prediction = "v",
            MinSnr = 5,
        });
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(imageExpected, images), images.ToJsonString());
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
            int code = LoomCli.Run(["train", "diffusion", "--data", "8gaussians", "--points", "2000", "--steps", "16", "--batch-size", "64",
                "--width", "32", "--layers", "1", "--ema", "0.9", "--checkpoint-every", "8", "--seed", "3", "--out", tmp.File("cli")],
                TextWriter.Null, TextWriter.Null);
            Assert.Equal(0, code);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        foreach (var file in new[]
        {
            Checkpoint.ModelFile, Checkpoint.ConfigFile, Checkpoint.TrainerStateTensorsFile, RunFolder.RecipeFile
        })
            Assert.Equal(File.ReadAllBytes(Path.Combine(tmp.File("library"), file)),
                File.ReadAllBytes(Path.Combine(tmp.File("cli"), file)));
    }
}
