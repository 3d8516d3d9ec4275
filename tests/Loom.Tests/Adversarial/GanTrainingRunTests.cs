using System.Text.Json.Nodes;
using Loom.Cli;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Adversarial;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Tests.Adversarial;

/// <summary>
/// GANs through the library's training API alone (no CLI, no subprocess): train, resume exactly with the recipe saved
/// in run.json, sample; and the CLI, which only maps flags onto the same recipe, writes the same checkpoint.
/// </summary>
public sealed class GanTrainingRunTests
{
    /// <summary>
    /// WGAN-GP on 8 gaussians with a generator average. Logs (and so progress reports) every 7 steps: a stop at step 21
    /// falls inside a generator cycle (n_critic 5).
    /// </summary>
    private static readonly GanRecipe Tiny = new()
    {
        Preset = "wgan-gp", Data = "8gaussians", Points = 2000, Width = 32, Layers = 2, BatchSize = 64, Steps = 42, LogEvery = 7,
        SampleEvery = 14, Ema = 0.9, CheckpointEvery = 14, Seed = 3,
    };

    private static TrainingOutcome Train(GanRecipe recipe, string folder, bool resume = false, long? stopAfter = null)
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        using var stop = new CancellationTokenSource();
        try
        {
            return GanTrainingRun.Train(recipe, new TrainingContext
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

    private static void AssertSameFiles(string expected, string actual, params string[] files)
    {
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(Path.Combine(expected, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(actual, file))), file);
    }

    [Fact]
    public void A_run_stopped_and_resumed_with_no_settings_equals_the_uninterrupted_run_and_samples()
    {
        using var tmp = new TempFolder();
        using (var whole = Train(Tiny, tmp.File("whole")))
        {
            Assert.False(whole.Interrupted);
            Assert.Equal(42, whole.Metrics["steps"]);
            Assert.Contains(whole.Files, f => Path.GetFileName(f) == GanPictures.SamplesFile);
            using var samples = (TensorSamples)whole.Model.Sample(new SampleRequest { Count = 5, Seed = 1 });
            Assert.Equal([5L, 2L], samples.Values.shape);
            Assert.True(torch.isfinite(samples.Values).all().item<bool>());
        }
        foreach (long step in new long[] { 14, 28, 42 })
            Assert.True(File.Exists(GanPictures.ProgressPath(tmp.File("whole"), step)), $"progress picture of step {step}");
        using (var first = Train(Tiny, tmp.File("parts"), stopAfter: 21))
        {
            Assert.True(first.Interrupted);
            Assert.Equal(21, first.Metrics["steps"]);
            Assert.DoesNotContain(first.Files, f => Path.GetFileName(f) == GanPictures.SamplesFile);
        }
        // Resuming needs no settings: the recipe, preset included, comes from run.json.
        using (var rest = Train(new GanRecipe(), tmp.File("parts"), resume: true)) Assert.Equal(42, rest.Metrics["steps"]);
        AssertSameFiles(tmp.File("whole"), tmp.File("parts"),
            Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile, RunFolder.RecipeFile);
        Assert.Contains("moving average", File.ReadAllText(Path.Combine(tmp.File("parts"), Checkpoint.CardFile)));
    }

    [Fact]
    public void Resuming_with_a_different_recipe_is_refused_but_may_train_longer()
    {
        using var tmp = new TempFolder();
        using (Train(Tiny with { Steps = 7 }, tmp.File("run"))) { }
        var rate = Assert.Throws<LoomUsageException>(
            () => Train(Tiny with { GeneratorLearningRate = 0.05 }, tmp.File("run"), resume: true));
        Assert.StartsWith("GeneratorLearningRate: the run in ", rate.Message);
        var preset = Assert.Throws<LoomUsageException>(() => Train(Tiny with { Preset = "dcgan" }, tmp.File("run"), resume: true));
        Assert.StartsWith("Preset: the run in ", preset.Message);
        using (var longer = Train(new GanRecipe { Steps = 14, SampleEvery = 7 }, tmp.File("run"), resume: true))
            Assert.Equal(14, longer.Metrics["steps"]);
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("run"), RunFolder.RecipeFile)))!;
        var expected = RecipeJson.ToJson(Tiny with
        {
            Steps = 14,
            SampleEvery = 7,
            Conditional = false,
            Loss = "wgan-gp",
            SpectralNorm = false,
            DiscriminatorBatchNorm = false,
            NCritic = 5,
            GeneratorLearningRate = 1e-4,
            DiscriminatorLearningRate = 1e-4,
            Beta1 = 0,
            Beta2 = 0.9,
            GradientPenalty = 0.1,
            AuxClassifierWeight = 0,
            LatentDim = 8,
            BaseChannels = 32,
            ClassNorm = false,
            GradClip = 0,
        });
        Assert.True(JsonNode.DeepEquals(expected, saved), saved.ToJsonString());
    }

    [Fact]
    public void Presets_and_the_data_fill_what_the_recipe_leaves_unset()
    {
        var cgan = new GanRecipe { Preset = "cgan", Data = "fashion-mnist" }.Resolve(images: true);
        Assert.Equal(("hinge", true, 1e-4, 4e-4, 1.0, 0.0), (cgan.Loss, cgan.SpectralNorm!.Value, cgan.GeneratorLearningRate!.Value,
            cgan.DiscriminatorLearningRate!.Value, cgan.AuxClassifierWeight!.Value, cgan.GradientPenalty!.Value));
        Assert.Equal((64, 64, true), (cgan.BatchSize!.Value, cgan.LatentDim!.Value, cgan.Conditional!.Value));
        Assert.Equal(10, new GanRecipe { Preset = "wgan-gp", Data = "fashion-mnist" }.Resolve(images: true).GradientPenalty);
        var vectors = new GanRecipe { Preset = "dcgan", Data = "moons", Loss = "wasserstein", BatchSize = 32 }.Resolve(images: false);
        Assert.Equal(("wgan-gp", 0.1, 32, 8),
            (vectors.Loss, vectors.GradientPenalty!.Value, vectors.BatchSize!.Value, vectors.LatentDim!.Value));
        Assert.StartsWith("Preset: ", Assert.Throws<LoomUsageException>(() => new GanRecipe { Data = "moons" }.Resolve(false)).Message);
        var unknown = Assert.Throws<LoomUsageException>(() => (Tiny with { Preset = "lsgan" }).Resolve(false));
        Assert.StartsWith("Preset: 'lsgan'", unknown.Message);
        Assert.Equal(["dcgan", "wgan-gp", "cgan"], ModelRegistry.Trainable(GanModel.KindName).Presets.Keys);
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
            int code = LoomCli.Run(["train", "wgan-gp", "--data", "8gaussians", "--points", "2000", "--width", "32", "--layers", "2",
                "--batch-size", "64", "--steps", "42", "--log-every", "7", "--sample-every", "14", "--ema", "0.9",
                "--checkpoint-every", "14", "--seed", "3", "--out", tmp.File("cli")], TextWriter.Null, TextWriter.Null);
            Assert.Equal(0, code);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        AssertSameFiles(tmp.File("library"), tmp.File("cli"),
            Checkpoint.ModelFile, Checkpoint.ConfigFile, Checkpoint.TrainerStateTensorsFile, RunFolder.RecipeFile);
    }
}
