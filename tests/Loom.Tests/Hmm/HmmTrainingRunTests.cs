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

    private static TrainingOutcome Train(HmmRecipe recipe, string folder, IProgress<string>? messages = null) =>
        OneThreadRuns.Run(() => ModelRegistry.Trainable("hmm").Train(RecipeJson.ToJson(recipe),
            new TrainingContext { OutputFolder = folder, Messages = messages }));

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
