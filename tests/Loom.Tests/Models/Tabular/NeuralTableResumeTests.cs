using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Tabular.Neural;
using Loom.Tests.Support;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// CTGAN and TVAE runs resume exactly: half the epochs then a resume to all of them, or a run cancelled mid-way and
/// resumed, end with the tensors (weights, BatchNorm statistics, the critic, Adam's moments) of a straight run; resuming a
/// missing folder, a folder of the other kind or with a changed recipe is one usage error naming Resume or the option.
/// </summary>
public sealed class NeuralTableResumeTests : IDisposable
{
    private readonly TempFolder work = new();

    public NeuralTableResumeTests() => File.WriteAllText(work.File("train.csv"), CopulaFixtures.GaussianCsv(200, 5));

    public void Dispose() => work.Dispose();

    private static ITrainableFamily Family(string kind) => kind == "ctgan" ? new CtganFamily() : new TvaeFamily();

    private JsonObject Recipe(int epochs) => new()
    {
        ["data"] = work.File("train.csv"), ["epochs"] = epochs, ["batch_size"] = 40, ["embedding"] = 16, ["hidden"] = 32,
        ["seed"] = 4,
    };

    private TrainingOutcome Train(string kind, JsonObject recipe, string folder, bool resume = false, ITrainingProgress? progress = null,
        CancellationToken cancellation = default)
    {
        var outcome = Family(kind).Train(recipe, new TrainingContext
        {
            OutputFolder = work.File(folder), Resume = resume, Progress = progress, Cancellation = cancellation,
        });
        outcome.Model.Dispose();
        return outcome;
    }

    /// <summary>Cancels the run once the trainer reports step <paramref name="step"/> (as Ctrl-C would).</summary>
    private sealed class StopAt(CancellationTokenSource source, long step) : ITrainingProgress
    {
        public void Report(long at, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta)
        {
            if (at >= step) source.Cancel();
        }
    }

    /// <summary>Every tensor of the model file and of the trainer state is equal in the two folders.</summary>
    private void AssertSameTensors(string expected, string actual)
    {
        foreach (var file in new[] { Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile })
        {
            using var a = SafeTensorsFile.Load(Path.Combine(work.File(expected), file));
            using var b = SafeTensorsFile.Load(Path.Combine(work.File(actual), file));
            Assert.Equal(a.Tensors.Keys.Order(StringComparer.Ordinal), b.Tensors.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, tensor) in a.Tensors)
            {
                var other = b.Tensors[name];
                bool same = tensor.shape.SequenceEqual(other.shape) && tensor.eq(other).all().item<bool>();
                Assert.True(same, $"{file}: tensor '{name}' differs");
            }
        }
    }

    [Theory]
    [InlineData("ctgan")]
    [InlineData("tvae")]
    public void ResumingContinuesExactlyAsAStraightRun(string kind)
    {
        Train(kind, Recipe(6), "straight");
        Train(kind, Recipe(3), "resumed");
        Assert.Equal(15, JsonNode.Parse(File.ReadAllText(work.File("resumed/trainer-state.json")))!["step"]!.GetValue<long>());
        var outcome = Train(kind, new JsonObject { ["epochs"] = 6 }, "resumed", resume: true);
        Assert.False(outcome.Interrupted);
        Assert.Equal(30, JsonNode.Parse(File.ReadAllText(work.File("resumed/trainer-state.json")))!["step"]!.GetValue<long>());
        AssertSameTensors("straight", "resumed");
        using var tensors = SafeTensorsFile.Load(work.File("resumed/" + Checkpoint.TrainerStateTensorsFile));
        Assert.Contains(tensors.Tensors.Keys, k => k.StartsWith(kind == "ctgan" ? "critic." : "network.", StringComparison.Ordinal));
        Assert.Contains(tensors.Tensors.Keys, k => k.StartsWith("optimizer.0.", StringComparison.Ordinal));
        using var straight = Checkpoint.Load(work.File("straight"));
        using var resumed = Checkpoint.Load(work.File("resumed"));
        Assert.Equal(NeuralTableFixtures.Draw(straight, 50, 1).ToCsv(), NeuralTableFixtures.Draw(resumed, 50, 1).ToCsv());
    }

    [Theory]
    [InlineData("ctgan")]
    [InlineData("tvae")]
    public void ACancelledRunResumesToTheStraightRun(string kind)
    {
        var recipe = Recipe(4);
        recipe["checkpoint_every"] = 3;
        Train(kind, Recipe(4), "straight");
        using var source = new CancellationTokenSource();
        var cancelled = Train(kind, recipe, "cancelled", progress: new StopAt(source, 7), cancellation: source.Token);
        Assert.True(cancelled.Interrupted);
        Assert.Equal(7, JsonNode.Parse(File.ReadAllText(work.File("cancelled/trainer-state.json")))!["step"]!.GetValue<long>());
        Assert.Contains("interrupted", File.ReadAllText(work.File("cancelled/card.json")));
        Assert.True(Checkpoint.Verify(work.File("cancelled"), trainerState: true));
        Assert.False(Train(kind, new JsonObject(), "cancelled", resume: true).Interrupted);
        AssertSameTensors("straight", "cancelled");
    }

    [Fact]
    public void BadResumesAreUsageErrors()
    {
        Assert.Contains("holds no ctgan run", Assert.Throws<LoomUsageException>(() =>
            Train("ctgan", Recipe(1), "nowhere", resume: true)).Message);
        Assert.False(Directory.Exists(work.File("nowhere")));
        Train("tvae", Recipe(1), "run");
        var other = Assert.Throws<LoomUsageException>(() => Train("ctgan", new JsonObject(), "run", resume: true));
        Assert.Equal("Resume", other.Option);
        Assert.Contains("holds a 'tvae' run", other.Message);
        Assert.Contains("BatchSize", Assert.Throws<LoomUsageException>(() =>
            Train("tvae", new JsonObject { ["batch_size"] = 20 }, "run", resume: true)).Message);
        Assert.Contains("CheckpointEvery", Assert.Throws<LoomUsageException>(() =>
            Train("tvae", new JsonObject { ["data"] = work.File("train.csv"), ["checkpoint_every"] = -1 }, "bad")).Message);
    }
}
