using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Hopfield;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Hopfield;

/// <summary>
/// Classical Hopfield networks (energy never rises under asynchronous updates; Hebbian storage at low load; the
/// pseudo-inverse rule stores correlated patterns the Hebbian rule loses) and the modern continuous network (one update
/// retrieves), the <c>hopfield</c> kind through the library and the CLI, and bad input.
/// </summary>
public sealed class HopfieldTests
{
    /// <summary>Patterns that share most of their bits: each flips 15% of a common base pattern.</summary>
    private static Tensor Correlated(int count, int units, long seed)
    {
        using var g = new torch.Generator((ulong)seed);
        var baseline = torch.randint(0, 2, [1, units], dtype: ScalarType.Float64, generator: g) * 2 - 1;
        var flips = torch.rand([count, units], dtype: ScalarType.Float64, generator: g).lt(0.15);
        return torch.where(flips, -baseline, baseline.expand(count, units));
    }

    [Fact]
    public void Energy_never_rises_under_asynchronous_updates()
    {
        var patterns = HopfieldPatterns.Random(8, 60, 1);
        using var net = ClassicalHopfield.Store(patterns, HopfieldRule.Hebbian);
        var start = HopfieldPatterns.Random(3, 60, 2);
        var energies = new List<double[]> { net.Energy(start).data<double>().ToArray() };
        var (final, sweeps) = net.Retrieve(start, 3, onUpdate: s => energies.Add(net.Energy(s).data<double>().ToArray()));
        Assert.True(energies.Count > 60, $"{energies.Count} updates");
        for (int k = 1; k < energies.Count; k++)
            for (int r = 0; r < 3; r++)
                Assert.True(energies[k][r] <= energies[k - 1][r] + 1e-12, $"row {r} update {k}: {energies[k - 1][r]} → {energies[k][r]}");
        // The end is a fixed point: one more sweep changes nothing.
        var (again, more) = net.Retrieve(final, 4);
        Assert.Equal(1, more);
        Assert.True(again.eq(final).all().ToBoolean());
        Assert.True(sweeps >= 2);
    }

    [Fact]
    public void Hebbian_weights_retrieve_random_patterns_at_low_load()
    {
        var patterns = HopfieldPatterns.Random(5, 200, 3);
        var (classical, _) = HopfieldRetrieval.Measure(patterns, HopfieldRule.Hebbian, beta: 1, noise: 0.1, seed: 4);
        Assert.Equal(1.0, classical.ExactFraction);
    }

    [Fact]
    public void Pseudo_inverse_stores_correlated_patterns_that_hebbian_loses()
    {
        var patterns = Correlated(10, 100, 5);
        using var hebbian = ClassicalHopfield.Store(patterns, HopfieldRule.Hebbian);
        using var projection = ClassicalHopfield.Store(patterns, HopfieldRule.PseudoInverse);
        var fromHebbian = RetrievalScore.Of(hebbian.Retrieve(patterns, 1).States, patterns);
        var fromProjection = RetrievalScore.Of(projection.Retrieve(patterns, 1).States, patterns);
        // Started at the patterns themselves: under the Hebbian rule they are not fixed points (all fall into the common
        // base's basin); under the projection rule every one is.
        Assert.True(fromHebbian.ExactFraction < 0.5, $"hebbian kept {fromHebbian.ExactFraction}");
        Assert.Equal(1.0, fromProjection.ExactFraction);
    }

    [Fact]
    public void The_modern_network_retrieves_with_one_update()
    {
        var patterns = HopfieldPatterns.Random(20, 64, 6);
        var queries = HopfieldPatterns.Corrupt(patterns, 0.2, 7);
        using var modern = new ModernHopfield(patterns, beta: 1.0);
        var once = modern.Retrieve(queries);
        // Not only the signs: one update lands on the pattern itself (the softmax puts almost all weight on it).
        Assert.True((once - patterns).abs().max().ToDouble() < 1e-3, $"max error {(once - patterns).abs().max().ToDouble()}");
        Assert.True(modern.Energy(once).lt(modern.Energy(queries)).all().ToBoolean());
        // A small β averages the patterns instead (a metastable state far from any one).
        using var soft = new ModernHopfield(patterns, beta: 1e-3);
        Assert.True(RetrievalScore.Of(soft.Retrieve(queries), patterns).ExactFraction < 0.5);
    }

    [Fact]
    public void The_hopfield_kind_stores_saves_loads_and_samples_retrievals()
    {
        using var tmp = new TempFolder();
        var recipe = new HopfieldRecipe { Data = "random:100", Patterns = 8, Rule = "hebbian", Noise = 0.1, Seed = 2 };
        using var outcome = OneThreadRuns.Run(() => ModelRegistry.Trainable("hopfield").Train(RecipeJson.ToJson(recipe),
            new TrainingContext { OutputFolder = tmp.File("h") }));
        Assert.Equal(1.0, outcome.Metrics["classical_exact_fraction"]);
        Assert.Equal(1.0, outcome.Metrics["modern_exact_fraction"]);
        using var loaded = (HopfieldModel)Checkpoint.Load(tmp.File("h"));
        var samples = (TensorSamples)loaded.Sample(new SampleRequest { Count = 4, Seed = 9 });
        var stored = (loaded.Patterns + 1) / 2;
        // Every sample is one of the stored patterns, recovered from its noisy copy.
        for (int r = 0; r < 4; r++)
            Assert.True(stored.eq(samples.Values[r]).all(1).any().ToBoolean(), $"sample {r} is no stored pattern");
        var error = Assert.Throws<LoomDataException>(() => loaded.Retrieve(torch.zeros(1, 100)));
        Assert.Contains("−1 or +1", error.Message);
    }

    [Fact]
    public void The_cli_stores_fashion_mnist_images_and_samples_a_grid_and_refuses_bad_input()
    {
        using var tmp = new TempFolder();
        var train = CliRunner.Run(tmp.Path, "train", "hopfield", "--data", "fashion-mnist", "--patterns", "6", "--modern", "--beta",
            "0.05", "--noise", "0.2", "--out", "h");
        Assert.True(train.ExitCode == 0, train.ToString());
        var sample = CliRunner.Run(tmp.Path, "sample", "h", "--n", "9", "--out", "grid.png");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.True(File.Exists(tmp.File("grid.png")));
        CliAssert.OneLineError(CliRunner.Run(tmp.Path, "train", "hopfield", "--data", "random:50", "--rule", "storkey", "--out", "x"),
            2, "--rule");
        CliAssert.OneLineError(CliRunner.Run(tmp.Path, "train", "hopfield", "--data", "random:x", "--out", "y"), 2, "random:");
    }
}
