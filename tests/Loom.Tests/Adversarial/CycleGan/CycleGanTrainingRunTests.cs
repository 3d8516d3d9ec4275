using Loom.Cli;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models.Adversarial.CycleGan;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Tests.Adversarial.CycleGan;

/// <summary>
/// CycleGAN through the library's training API alone (no CLI, no subprocess): train on two folders of 8×8 PNGs, resume
/// exactly with the recipe saved in run.json; and the CLI, which only maps flags onto the same recipe, writes the same
/// checkpoint. float64 takes libtorch's plain CPU convolution, free of the float32 NaN gradients that would skip
/// updates at random (docs/cyclegan.md), so runs must agree to the bit.
/// </summary>
public sealed class CycleGanTrainingRunTests : IDisposable
{
    private readonly TempFolder tmp = new();

    public CycleGanTrainingRunTests()
    {
        foreach (var (name, left, seed) in new[] { ("a", true, 1L), ("b", false, 2L) })
        {
            Directory.CreateDirectory(tmp.File(name));
            using var images = CycleGanTestData.Halves(left, 12, 8, seed);
            for (int i = 0; i < 12; i++)
                Png.Write(Path.Combine(tmp.File(name), $"img{i:D2}.png"), images[i]);
        }
    }

    public void Dispose() => tmp.Dispose();

    /// <summary>
    /// Tiny networks; the pool (6 images, 4 per step) is full and swapping long before step 10, where progress (and a stop) comes.
    /// </summary>
    private CycleGanRecipe Tiny => new()
    {
        DataA = tmp.File("a"), DataB = tmp.File("b"), Steps = 20, BatchSize = 4, BaseChannels = 4, ResBlocks = 1, Downsamples = 1,
        DiscriminatorChannels = 4, PoolSize = 6, CheckpointEvery = 0, Dtype = "float64", Seed = 5,
    };

    private static TrainingOutcome Train(CycleGanRecipe recipe, string folder, bool resume = false, long? stopAfter = null)
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        using var stop = new CancellationTokenSource();
        try
        {
            return CycleGanTrainingRun.Train(recipe, new TrainingContext
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
    public void A_run_stopped_and_resumed_with_no_settings_equals_the_uninterrupted_run_and_translates()
    {
        using (var whole = Train(Tiny, tmp.File("whole")))
        {
            Assert.False(whole.Interrupted);
            Assert.Equal(20, whole.Metrics["steps"]);
            Assert.Contains(whole.Files, f => Path.GetFileName(f) == "translations.png");
            var model = Assert.IsType<CycleGanModel>(whole.Model);
            using var images = CycleGanTestData.Halves(brightLeft: true, 3, 8, seed: 9);
            using var translated = model.Translate(images, TranslationDirection.AtoB);
            Assert.Equal([3L, 1L, 8L, 8L], translated.shape);
        }
        using (var first = Train(Tiny, tmp.File("parts"), stopAfter: 10))
        {
            Assert.True(first.Interrupted);
            Assert.Equal(10, first.Metrics["steps"]);
        }
        // Resuming needs no settings: the recipe comes from run.json; the pools come back from the trainer state.
        using (var rest = Train(new CycleGanRecipe(), tmp.File("parts"), resume: true)) Assert.Equal(20, rest.Metrics["steps"]);
        AssertSameFiles(tmp.File("whole"), tmp.File("parts"),
            Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile, RunFolder.RecipeFile);
        Assert.Contains(CycleGanTraining.PoolAKey, Checkpoint.ReadTrainerState(tmp.File("parts")).Tensors.Keys);
    }

    [Fact]
    public void Resuming_with_a_different_recipe_is_refused_but_may_train_longer()
    {
        using (Train(Tiny with { Steps = 2 }, tmp.File("run"))) { }
        var error = Assert.Throws<LoomUsageException>(() => Train(Tiny with { CycleWeight = 5 }, tmp.File("run"), resume: true));
        Assert.StartsWith("CycleWeight: the run in ", error.Message);
        using (var longer = Train(new CycleGanRecipe { Steps = 3, Threads = 0 }, tmp.File("run"), resume: true))
            Assert.Equal(3, longer.Metrics["steps"]);
        var saved = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("run"), RunFolder.RecipeFile)))!;
        var expected = RecipeJson.ToJson(Tiny with
        {
            Steps = 3,
            Threads = 0,
            LearningRate = 2e-4,
            LrSchedule = "constant",
            CycleWeight = 10,
            IdentityWeight = 0.5,
            DiscriminatorLayers = 2,
        });
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(expected, saved), saved.ToJsonString());
    }

    [Fact]
    public void The_cli_maps_flags_onto_the_recipe_and_writes_the_checkpoint_the_library_writes()
    {
        using (Train(Tiny with { Steps = 4 }, tmp.File("library"))) { }
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            int code = LoomCli.Run(["train", "cyclegan", "--data-a", tmp.File("a"), "--data-b", tmp.File("b"), "--steps", "4",
                "--batch-size", "4", "--base-channels", "4", "--res-blocks", "1", "--downsamples", "1", "--disc-channels", "4",
                "--pool-size", "6", "--checkpoint-every", "0", "--dtype", "float64", "--seed", "5", "--out", tmp.File("cli")],
                TextWriter.Null, TextWriter.Null);
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
