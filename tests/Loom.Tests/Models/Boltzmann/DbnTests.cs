using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Boltzmann;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Boltzmann;

/// <summary>Deep belief nets: greedy stacking learns two noisy prototypes well enough that samples are near one, round-trips through
/// a checkpoint, trains through the CLI, and refuses bad layer lists.</summary>
public sealed class DbnTests
{
    private static readonly int[][] Prototypes = [[1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]];

    [Fact]
    public void Greedy_layers_learn_the_prototypes_and_samples_come_near_them()
    {
        using var tmp = new TempFolder();
        var random = new Random(8);
        var csv = tmp.File("bits.csv");
        File.WriteAllLines(csv, Enumerable.Range(0, 300).Select(r => string.Join(",",
            Prototypes[r % 2].Select(bit => random.NextDouble() < 0.05 ? 1 - bit : bit))));
        var recipe = new DbnRecipe { Data = csv, Layers = "10,6", Epochs = 30, BatchSize = 20, LearningRate = 0.1, Seed = 1 };
        using var outcome = OneThreadRuns.Run(() => ModelRegistry.Trainable("dbn").Train(RecipeJson.ToJson(recipe),
            new TrainingContext { OutputFolder = tmp.File("dbn") }));
        Assert.True(outcome.Metrics.ContainsKey("layer1_reconstruction_error"));
        using var loaded = (DbnModel)Checkpoint.Load(tmp.File("dbn"));
        Assert.Equal([12, 10, 6], loaded.Sizes);
        var samples = ((TensorSamples)loaded.Sample(new SampleRequest { Count = 40, Seed = 3 })).Values;
        Assert.Equal([40, 12], samples.shape);
        var bits = samples.gt(0.5).to(ScalarType.Float32);
        var near = Enumerable.Range(0, 40).Count(r => Prototypes.Any(p =>
            (bits[r] - torch.tensor(p.Select(x => (float)x).ToArray())).abs().sum().ToDouble() <= 2));
        Assert.True(near >= 30, $"{near} of 40 samples within 2 bits of a prototype");
    }

    [Fact]
    public void The_cli_trains_a_dbn_on_fashion_mnist_and_samples_a_grid()
    {
        using var tmp = new TempFolder();
        var train = CliRunner.Run(tmp.Path, "train", "dbn", "--data", "fashion-mnist", "--train-limit", "300", "--layers", "32,16",
            "--epochs", "1", "--sample-steps", "20", "--out", "d");
        Assert.True(train.ExitCode == 0, train.ToString());
        var sample = CliRunner.Run(tmp.Path, "sample", "d", "--n", "4", "--out", "grid.png");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.True(File.Exists(tmp.File("grid.png")));
        CliAssert.OneLineError(CliRunner.Run(tmp.Path, "train", "dbn", "--data", "fashion-mnist", "--layers", "32,x", "--out", "e"),
            2, "--layers");
    }

    [Fact]
    public void Bad_layer_lists_name_the_option() =>
        Assert.StartsWith("Layers:", Assert.Throws<LoomUsageException>(() => new DbnRecipe { Data = "x", Layers = "0" }.Resolve()).Message);
}
