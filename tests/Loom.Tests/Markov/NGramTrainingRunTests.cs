using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Markov;
using Loom.Tests.Support;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Tests.Markov;

/// <summary>
/// n-gram models through the library's training API alone: a fit from a recipe reports its count as progress, writes a
/// checkpoint that loads and scores as the fitted model, stops when cancelled, and counts the same with or without
/// progress; and the CLI, which only maps flags onto the same recipe, writes the same checkpoint.
/// </summary>
public sealed class NGramTrainingRunTests : IDisposable
{
    private readonly TempFolder tmp = new();
    private readonly string text;

    public NGramTrainingRunTests()
    {
        text = tmp.File("verse.txt");
        string[] lines = ["the cat sat\n", "a dog ran\n", "my hat\n"];
        File.WriteAllText(text, string.Concat(Enumerable.Range(0, 20000).Select(i => lines[i % 3])));
    }

    private NGramRecipe Recipe => new() { Data = text, Order = 4, Seed = 2 };

    private static TrainingOutcome Train(NGramRecipe recipe, string folder, ITrainingProgress? progress = null,
        CancellationToken cancellation = default, bool resume = false, bool overwrite = false) =>
        ModelRegistry.Trainable("ngram").Train(RecipeJson.ToJson(recipe), new TrainingContext
        {
            OutputFolder = folder, Progress = progress, Cancellation = cancellation, Resume = resume, Overwrite = overwrite,
        });

    [Fact]
    public void A_fit_reports_its_count_and_writes_a_checkpoint_that_scores_as_the_fitted_model()
    {
        var progress = new Recorder();
        using var outcome = Train(Recipe, tmp.File("fit"), progress);
        long tokens = (long)outcome.Metrics["training_tokens"];
        Assert.True(tokens > 65536, $"{tokens} tokens: too few for a report before the end");
        Assert.Equal((tokens, tokens), progress.Reports[^1]);
        Assert.Contains((65536L, tokens), progress.Reports);
        using var loaded = (NGramModel)Checkpoint.Load(tmp.File("fit"));
        var ids = loaded.Vocabulary.Encode("the dog sat\n");
        Assert.Equal(((NGramModel)outcome.Model).NegativeLogLikelihood(ids), loaded.NegativeLogLikelihood(ids));
        Assert.Contains(Path.Combine(tmp.File("fit"), "sample.txt"), outcome.Files);
    }

    [Fact]
    public void Progress_does_not_change_the_counts_and_cancelling_stops_the_fit()
    {
        var training = File.ReadAllText(text);
        var options = new NGramOptions { Order = 4 };
        var plain = NGramModel.Fit(training, options);
        var reported = NGramModel.Fit(training, options, new Progress<NGramFitProgress>(_ => { }));
        Assert.Equal(plain.Counts.TopEntries(), reported.Counts.TopEntries());
        Assert.Throws<OperationCanceledException>(() => Train(Recipe, tmp.File("cancelled"), cancellation: new CancellationToken(true)));
        Assert.False(File.Exists(Path.Combine(tmp.File("cancelled"), Checkpoint.ModelFile)));
    }

    [Fact]
    public void A_fit_has_no_resume_and_a_second_fit_into_the_folder_needs_overwrite()
    {
        using (Train(Recipe, tmp.File("fit"))) { }
        var resume = Assert.Throws<LoomUsageException>(() => Train(Recipe, tmp.File("fit"), resume: true));
        Assert.StartsWith("Resume: an n-gram fit has no trainer state", resume.Message);
        var again = Assert.Throws<LoomUsageException>(() => Train(Recipe with { Order = 3 }, tmp.File("fit")));
        Assert.Contains("already holds a 'ngram' checkpoint", again.Message);
        using (var replaced = Train(Recipe with { Order = 3 }, tmp.File("fit"), overwrite: true))
            Assert.Equal(3, ((NGramModel)replaced.Model).Options.Order);
        using var loaded = (NGramModel)Checkpoint.Load(tmp.File("fit"));
        Assert.Equal(3, loaded.Options.Order);
    }

    [Fact]
    public void The_cli_maps_flags_onto_the_recipe_and_writes_the_checkpoint_the_library_writes()
    {
        using (Train(Recipe, tmp.File("library"))) { }
        OneThreadRuns.Cli("train", "ngram", "--data", text, "--order", "4", "--seed", "2", "--out", tmp.File("cli"));
        OneThreadRuns.AssertSameFiles(tmp.File("library"), tmp.File("cli"),
            Checkpoint.ModelFile, Checkpoint.ConfigFile, RunFolder.RecipeFile, "sample.txt");
    }

    private sealed class Recorder : ITrainingProgress
    {
        public List<(long Done, long Total)> Reports { get; } = [];

        public void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta) =>
            Reports.Add((step, totalSteps));
    }

    public void Dispose() => tmp.Dispose();
}
