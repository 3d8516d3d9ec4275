using System.Text.Json.Nodes;
using Loom.Cli;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.Latent.Quantized;
using Loom.Tests.Support;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Tests.Latent.Quantized;

/// <summary>
/// The VQ-VAE through the library's training API alone, on a folder of random grey PNGs: both stages, a stop in either
/// stage resumed with no settings (the recipe from run.json) equal to the uninterrupted run byte for byte, a changed
/// recipe refused; and the CLI, which only maps flags onto the same recipe, writes the same checkpoint.
/// </summary>
public sealed class VqVaeTrainingRunTests : OneTorchThread
{
    /// <summary>A recipe for tiny networks on 12 random 28×28 grey PNGs written to <paramref name="tmp"/>.</summary>
    private static VqVaeRecipe Tiny(TempFolder tmp)
    {
        var folder = tmp.File("pngs");
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            using var images = torch.rand([12, 1, 28, 28], generator: new torch.Generator(5));
            for (int i = 0; i < 12; i++)
                Png.Write(Path.Combine(folder, $"{i:D2}.png"), images[i]);
        }
        return TinyOn(folder);
    }

    private static VqVaeRecipe TinyOn(string pngs) => new()
    {
        Data = pngs, Codes = 8, CodeDim = 4, Hidden = 8, ResBlocks = 1, ResChannels = 4, PriorChannels = 8, PriorLayers = 1,
        BatchSize = 8, LogEvery = 1, Steps = 6, PriorSteps = 4, CheckpointEvery = 0, Seed = 1,
    };

    private static TrainingOutcome Train(VqVaeRecipe recipe, string folder, bool resume = false, int? stopAfterReports = null)
    {
        using var stop = new CancellationTokenSource();
        return VqVaeTrainingRun.Train(recipe, new TrainingContext
        {
            OutputFolder = folder, Resume = resume, Cancellation = stop.Token,
            Progress = stopAfterReports is { } count ? new StopAfterReports(count, stop) : null,
        });
    }

    private static byte[] Bytes(string folder, string file) => File.ReadAllBytes(Path.Combine(folder, file));

    private static string SavedStage(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, Checkpoint.TrainerStateJsonFile)))![VqVaeTrainingRun.StageKey]!
            .GetValue<string>();

    [Fact]
    public void Runs_stopped_in_either_stage_and_resumed_with_no_settings_equal_the_uninterrupted_run()
    {
        using var tmp = new TempFolder();
        using (var whole = Train(Tiny(tmp), tmp.File("whole")))
        {
            Assert.False(whole.Interrupted);
            Assert.Equal(4, whole.Metrics["prior_steps"]);
            Assert.True(whole.Metrics["prior_nll_per_code"] > 0);
            using var samples = (TensorSamples)whole.Model.Sample(new SampleRequest { Count = 3, Seed = 2 });
            Assert.Equal([3L, 1L, 28L, 28L], samples.Values.shape);
        }
        // Progress comes every logged step (log_every 1): 3 reports stop stage 1 at step 3, 8 stop stage 2 at step 2.
        foreach (var (reports, stage, step) in new[] { (3, "autoencoder", 3L), (8, "prior", 2L) })
        {
            var folder = tmp.File($"stopped-{reports}");
            using (var first = Train(Tiny(tmp), folder, stopAfterReports: reports))
            {
                Assert.True(first.Interrupted);
                Assert.Equal(step, first.Metrics[$"{stage}_steps"]);
            }
            Assert.Equal(stage, SavedStage(folder));
            Assert.StartsWith($"interrupted (cancelled) in stage {stage} at step {step}", Checkpoint.ReadCard(folder).Notes);
            using (var rest = Train(new VqVaeRecipe(), folder, resume: true)) Assert.False(rest.Interrupted);
            string[] files =
                [Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile, Checkpoint.TrainerStateJsonFile, RunFolder.RecipeFile];
            foreach (var file in files)
                Assert.Equal(Bytes(tmp.File("whole"), file), Bytes(folder, file));
            var logged = File.ReadAllLines(Path.Combine(folder, Checkpoint.LogFile)).Select(l => JsonNode.Parse(l)!)
                .Select(e => $"{e["phase"]}:{e["step"]}").ToList();
            Assert.Equal([.. Enumerable.Range(1, 6).Select(s => $"autoencoder:{s}"), .. Enumerable.Range(1, 4).Select(s => $"prior:{s}")],
                logged);
        }
    }

    [Fact]
    public void Resuming_with_a_different_recipe_is_refused_but_more_prior_steps_are_trained()
    {
        using var tmp = new TempFolder();
        using (Train(Tiny(tmp), tmp.File("run"))) { }
        var error = Assert.Throws<LoomUsageException>(() => Train(Tiny(tmp) with { Codes = 16 }, tmp.File("run"), resume: true));
        Assert.StartsWith("Codes: the run in ", error.Message);
        Assert.Contains("may change on resume: CheckpointEvery, PriorSteps, Steps", error.Message);
        using (var more = Train(new VqVaeRecipe { PriorSteps = 6 }, tmp.File("run"), resume: true))
            Assert.Equal(6, more.Metrics["prior_steps"]);
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("run"), RunFolder.RecipeFile)))!;
        var expected = RecipeJson.ToJson(VqVaeRecipe.Defaults with
        {
            Data = tmp.File("pngs"),
            Codes = 8,
            CodeDim = 4,
            Hidden = 8,
            ResBlocks = 1,
            ResChannels = 4,
            PriorChannels = 8,
            PriorLayers = 1,
            BatchSize = 8,
            LogEvery = 1,
            Steps = 6,
            PriorSteps = 6,
            CheckpointEvery = 0,
            Seed = 1,
        });
        Assert.True(JsonNode.DeepEquals(expected, saved), saved.ToJsonString());
    }

    [Fact]
    public void The_cli_maps_flags_onto_the_recipe_and_writes_the_checkpoint_the_library_writes()
    {
        using var tmp = new TempFolder();
        using (Train(Tiny(tmp), tmp.File("library"))) { }
        int code = LoomCli.Run(["train", "vqvae", "--data", tmp.File("pngs"), "--codes", "8", "--code-dim", "4", "--hidden", "8",
            "--res-blocks", "1", "--res-channels", "4", "--prior-channels", "8", "--prior-layers", "1", "--batch-size", "8",
            "--log-every", "1", "--steps", "6", "--prior-steps", "4", "--checkpoint-every", "0", "--seed", "1", "--out", tmp.File("cli")],
            TextWriter.Null, TextWriter.Null);
        Assert.Equal(0, code);
        string[] files = [Checkpoint.ModelFile, Checkpoint.ConfigFile, Checkpoint.TrainerStateTensorsFile, RunFolder.RecipeFile];
        foreach (var file in files)
            Assert.Equal(Bytes(tmp.File("library"), file), Bytes(tmp.File("cli"), file));
    }

    /// <summary>Cancels the run at the <paramref name="count"/>-th progress report, in whichever stage it comes.</summary>
    private sealed class StopAfterReports(int count, CancellationTokenSource stop) : ITrainingProgress
    {
        private int reports;

        public void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta)
        {
            if (++reports >= count)
                stop.Cancel();
        }
    }
}
