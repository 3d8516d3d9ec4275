using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Energy;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Energy;

/// <summary>
/// The joint energy model (JEM): its energy is −logsumexp of its class logits, so exp(−E(x)) = Σ_y exp(−E(x, y)); it
/// samples E(x, y) for the requested class or the classes in turn; training on labelled images learns a classifier whose
/// reported accuracy equals a naive argmax count on the test split; the class names survive a checkpoint; unlabelled
/// data is refused naming the option.
/// </summary>
public sealed class JointEnergyModelTests
{
    private static EnergyModel Vectors(int classes) => new(new EnergyConfig
    {
        Dimensions = 2, Hidden = 16, Layers = 2, ClassNames = Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(),
        SampleSteps = 20, StepSize = 0.05,
    });

    [Fact]
    public void The_marginal_energy_is_the_log_sum_of_the_class_energies()
    {
        using var model = Vectors(3);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([5, 2], generator: new Generator(1));
        var logits = model.ClassLogits(x);
        Assert.Equal([5L, 3], logits.shape);
        var perClass = Enumerable.Range(0, 3).Select(c => model.ClassEnergy(x, torch.full(5, c, ScalarType.Int64))).ToArray();
        for (int i = 0; i < 5; i++)
        {
            double sum = perClass.Sum(e => Math.Exp(-e[i].ToDouble()));
            Assert.Equal(-Math.Log(sum), model.Energy(x)[i].ToDouble(), 5);
            Assert.Equal(-logits[i, 1].ToDouble(), perClass[1][i].ToDouble(), 6);
        }
        Assert.Equal(logits.argmax(1).data<long>().ToArray(), model.Classify(x).data<long>().ToArray());
    }

    [Fact]
    public void Samples_follow_the_requested_class_or_the_classes_in_turn()
    {
        using var model = Vectors(2);
        using var inTurn = (TensorSamples)model.Sample(new SampleRequest { Count = 6, Seed = 3 });
        using var first = (TensorSamples)model.Sample(new SampleRequest { Count = 6, Seed = 3, Class = 1 });
        Assert.Equal([0L, 1, 0, 1, 0, 1], inTurn.Labels!.data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 1, 1, 1], first.Labels!.data<long>().ToArray());
        Assert.Equal(["c0", "c1"], first.ClassNames!);
        // Same start and noise: the chains asked for class 1 end where they did in turn, the class-0 ones elsewhere.
        using var scope = torch.NewDisposeScope();
        var odd = torch.tensor(new long[] { 1, 3, 5 });
        var even = torch.tensor(new long[] { 0, 2, 4 });
        Assert.Equal(0, (inTurn.Values.index_select(0, odd) - first.Values.index_select(0, odd)).abs().max().ToDouble(), 6);
        Assert.True((inTurn.Values.index_select(0, even) - first.Values.index_select(0, even)).abs().max().ToDouble() > 1e-4);
        Assert.Contains("Class", Assert.Throws<LoomUsageException>(() => model.Sample(new SampleRequest { Count = 1, Class = 2 })).Message);
        using var plain = Vectors(0);
        Assert.Contains("Class", Assert.Throws<LoomUsageException>(() => plain.Sample(new SampleRequest { Count = 1, Class = 0 })).Message);
        Assert.Equal(0, plain.NumClasses);
    }

    [Fact]
    public void Training_on_labelled_images_learns_a_classifier_and_the_checkpoint_keeps_the_classes()
    {
        using var tmp = new TempFolder();
        var recipe = new EnergyRecipe
        {
            Data = "fashion-mnist", Joint = true, TrainLimit = 600, Hidden = 8, SgldSteps = 3, BufferSize = 64, BatchSize = 32,
            Steps = 100, SampleSteps = 2, LearningRate = 3e-3, Alpha = 0.1, Seed = 1,
        };
        using var outcome = OneThreadRuns.Run(() => ModelRegistry.Trainable("ebm").Train(RecipeJson.ToJson(recipe),
            new TrainingContext { OutputFolder = tmp.File("jem") }));
        double test = outcome.Metrics["test_accuracy"];
        Assert.True(test > 0.3, $"test accuracy {test} (chance 0.1)");
        Assert.InRange(outcome.Metrics["train_accuracy"], 0.3, 1.0);

        using var loaded = (EnergyModel)Checkpoint.Load(tmp.File("jem"));
        Assert.Equal(Loom.Data.FashionMnist.ClassNames, loaded.ClassNames);
        Assert.Equal([10L, 32], loaded.GetState()["head.weight"].shape);
        // The card's figure is a plain count of argmax hits over the 10,000 test images.
        using var data = Loom.Data.TrainingData.Load("fashion-mnist", new Loom.Data.DataLoadOptions
        {
            Split = Loom.Data.FashionMnistSplit.Test,
        });
        using var scope = torch.NewDisposeScope();
        var images = data.Examples.to(ScalarType.Float32);
        long hits = 0;
        using (torch.no_grad())
            for (long i = 0; i < images.shape[0]; i += 1000)
                hits += loaded.Network.Logits(images.narrow(0, i, 1000)).argmax(1).eq(data.Labels!.narrow(0, i, 1000)).sum().ToInt64();
        Assert.Equal(hits / 10000.0, test, 9);
        Assert.True(File.Exists(tmp.File("jem/samples.png")));
    }

    [Fact]
    public void Unlabelled_data_is_refused_naming_the_option()
    {
        using var tmp = new TempFolder();
        var recipe = new EnergyRecipe { Data = "8gaussians", Joint = true, Points = 100, Steps = 1 };
        var error = Assert.Throws<LoomDataException>(() => ModelRegistry.Trainable("ebm").Train(RecipeJson.ToJson(recipe),
            new TrainingContext { OutputFolder = tmp.File("x") }));
        Assert.Contains("Joint", error.Message);
    }
}
