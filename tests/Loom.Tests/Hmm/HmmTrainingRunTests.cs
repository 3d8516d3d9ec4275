using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Hmm;
using Loom.Tests.Support;
using Loom.Training.Runs;

namespace Loom.Tests.Hmm;

/// <summary>
/// Hidden Markov models through the library's training API alone: a Baum-Welch fit from a recipe writes a checkpoint that
/// loads and scores as the fitted model; and the CLI, which only maps flags onto the same recipe, writes the same checkpoint.
/// </summary>
public sealed class HmmTrainingRunTests : IDisposable
{
    private readonly TempFolder tmp = new();
    private readonly string data;

    public HmmTrainingRunTests()
    {
        using var truth = HmmTestModels.Full2();
        data = tmp.File("sequences.csv");
        HmmData.Write(data, HmmTestModels.Sample(truth, 4, 40).Observations);
    }

    private HmmRecipe Recipe => new() { Data = data, States = 2, Emission = "gaussian-full", MaxIter = 20, Seed = 3 };

    private static TrainingOutcome Train(HmmRecipe recipe, string folder, bool resume = false, bool overwrite = false,
        CancellationToken cancellation = default) =>
        OneThreadRuns.Run(() => ModelRegistry.Trainable("hmm").Train(RecipeJson.ToJson(recipe),
            new TrainingContext { OutputFolder = folder, Resume = resume, Overwrite = overwrite, Cancellation = cancellation }));

    [Fact]
    public void A_fit_from_a_recipe_writes_a_checkpoint_that_scores_as_the_fitted_model()
    {
        using var outcome = Train(Recipe, tmp.File("fit"));
        Assert.False(outcome.Interrupted);
        Assert.InRange(outcome.Metrics["iterations"], 1, 20);
        var sequences = HmmData.Read(data, HmmEmission.GaussianFull);
        using var loaded = (HiddenMarkovModel)Checkpoint.Load(tmp.File("fit"));
        Assert.Equal(((HiddenMarkovModel)outcome.Model).LogLikelihoods(sequences), loaded.LogLikelihoods(sequences));
        Assert.Equal(outcome.Metrics["log_likelihood"], loaded.LogLikelihoods(sequences).Sum());
        Assert.True(File.Exists(Path.Combine(tmp.File("fit"), RunFolder.RecipeFile)));
    }

    [Fact]
    public void A_fit_has_no_resume_a_second_fit_needs_overwrite_and_cancelling_writes_no_model()
    {
        using (Train(Recipe, tmp.File("fit"))) { }
        var resume = Assert.Throws<LoomUsageException>(() => Train(Recipe, tmp.File("fit"), resume: true));
        Assert.StartsWith("Resume: a Baum-Welch fit has no trainer state", resume.Message);
        var again = Assert.Throws<LoomUsageException>(() => Train(Recipe with { Seed = 4 }, tmp.File("fit")));
        Assert.Contains("already holds a 'hmm' checkpoint", again.Message);
        using (var replaced = Train(Recipe with { Seed = 4 }, tmp.File("fit"), overwrite: true)) Assert.False(replaced.Interrupted);
        Assert.Equal(4, Checkpoint.ReadCard(tmp.File("fit")).Seed);
        Assert.ThrowsAny<OperationCanceledException>(() => Train(Recipe, tmp.File("cancelled"), cancellation: new CancellationToken(true)));
        Assert.False(File.Exists(Path.Combine(tmp.File("cancelled"), Checkpoint.ModelFile)));
        Assert.False(File.Exists(Path.Combine(tmp.File("cancelled"), RunFolder.LockFile)));
    }

    [Fact]
    public void The_cli_maps_flags_onto_the_recipe_and_writes_the_checkpoint_the_library_writes()
    {
        using (Train(Recipe, tmp.File("library"))) { }
        OneThreadRuns.Cli("train", "hmm", "--data", data, "--states", "2", "--emission", "gaussian-full", "--max-iter", "20", "--seed", "3",
            "--out", tmp.File("cli"));
        OneThreadRuns.AssertSameFiles(tmp.File("library"), tmp.File("cli"),
            Checkpoint.ModelFile, Checkpoint.ConfigFile, RunFolder.RecipeFile);
    }

    public void Dispose() => tmp.Dispose();
}
