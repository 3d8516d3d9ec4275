using System.Diagnostics;
using System.Globalization;
using Loom.Data;
using Loom.Evaluation.Memorization;
using Loom.Models;
using Loom.Models.Latent;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>dp-vae [--steps 300] [--classes 1] [--hidden 128] [--batch 64] [--epsilon 8] [--n 1000]</c>: a Fashion-MNIST VAE
/// trained as usual and with DP-SGD at ε (δ 1e-5, clip 1) on the same recipe. Prints, for both, the held-out ELBO
/// (utility) and the loss-threshold membership-inference AUROC (<see cref="MembershipInference"/>) on n training images
/// against n test images of the same classes, each loss the mean −ELBO over 8 latent draws.
/// </summary>
public static class DpVaeBench
{
    public static int Run(string[] args)
    {
        int steps = BenchSupport.Option(args, "--steps", 300);
        int hidden = BenchSupport.Option(args, "--hidden", 128);
        int batch = BenchSupport.Option(args, "--batch", 64);
        int n = BenchSupport.Option(args, "--n", 1000);
        string classes = BenchSupport.StringOption(args, "--classes") ?? "1";
        double epsilon = double.Parse(BenchSupport.StringOption(args, "--epsilon") ?? "8", CultureInfo.InvariantCulture);
        int[] wanted = [.. classes.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))];
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        var members = Pick(train, wanted, n);
        var nonMembers = Pick(test, wanted, n);
        Console.WriteLine($"dp-vae: classes {classes}, {steps} steps, batch {batch}, hidden {hidden}; MIA on {members.shape[0]} members "
            + $"vs {nonMembers.shape[0]} non-members");
        foreach (double? target in new double?[] { null, epsilon })
        {
            var recipe = new VaeRecipe
            {
                Data = FashionMnist.Name, Classes = classes, Hidden = hidden, LatentDim = 16, Steps = steps, BatchSize = batch,
                Seed = 0, EvalK = 0, EvalN = 1000, CheckpointEvery = 0, DpEpsilon = target, DpClip = target is null ? null : 1.0,
            };
            var folder = Path.Combine(Path.GetTempPath(), $"loom-dp-vae-{Environment.ProcessId}-{(target is null ? "plain" : "dp")}");
            var (outcome, seconds) = Train(recipe, folder);
            using var owned = outcome;
            var vae = (VaeModel)outcome.Model;
            var auroc = MembershipInference.LossThreshold(Losses(vae, members), Losses(vae, nonMembers)).Auroc;
            string privacy = outcome.Metrics.TryGetValue("epsilon", out var spent) ? $"ε {spent:F2}" : "non-private";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{privacy,-12} test ELBO {outcome.Metrics["test_elbo"],8:F1} nats  MIA AUROC {auroc:F3}  train {seconds:F0} s"));
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    /// <summary>Trains <paramref name="recipe"/> through the registry into <paramref name="output"/> (overwritten); the
    /// outcome (the caller disposes it) and the wall-clock seconds it took.</summary>
    internal static (TrainingOutcome Outcome, double Seconds) Train(VaeRecipe recipe, string output)
    {
        var clock = Stopwatch.StartNew();
        var context = new TrainingContext { OutputFolder = output, Overwrite = true };
        var outcome = ModelRegistry.Trainable("vae").Train(RecipeJson.ToJson(recipe), context);
        return (outcome, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The first <paramref name="n"/> images of <paramref name="classes"/> in a split, as float32.</summary>
    internal static Tensor Pick(FashionMnistData data, int[] classes, int n)
    {
        var (images, labels) = PickLabelled(data, classes, n);
        labels.Dispose();
        return images;
    }

    /// <summary>The first <paramref name="n"/> images of <paramref name="classes"/> in a split, as float32, with their
    /// int64 Fashion-MNIST labels.</summary>
    internal static (Tensor Images, Tensor Labels) PickLabelled(FashionMnistData data, int[] classes, int n)
    {
        using var scope = torch.NewDisposeScope();
        var mask = torch.zeros_like(data.Labels, dtype: ScalarType.Bool);
        foreach (var c in classes) mask |= data.Labels == c;
        var indices = mask.nonzero().reshape(-1);
        var chosen = indices.narrow(0, 0, Math.Min(n, indices.shape[0]));
        return (data.Images.index_select(0, chosen).to(ScalarType.Float32).MoveToOuterDisposeScope(),
            data.Labels.index_select(0, chosen).to(ScalarType.Int64).MoveToOuterDisposeScope());
    }

    /// <summary>Each image's mean −ELBO over 8 seeded latent draws: the attack's per-example loss. A conditional VAE is
    /// given each image's class in <paramref name="labels"/> (its model's numbering).</summary>
    internal static double[] Losses(VaeModel vae, Tensor images, Tensor? labels = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.manual_seed(5);
        var total = torch.zeros(images.shape[0], dtype: ScalarType.Float64);
        for (int draw = 0; draw < 8; draw++)
            total += -vae.Network.Elbo(images, labels).Elbo.to(ScalarType.Float64) / 8;
        return total.data<double>().ToArray();
    }
}
