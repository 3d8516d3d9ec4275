using Loom.Data;
using Loom.Evaluation.Distribution;
using Loom.Evaluation.Reference;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Latent;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>class-accuracy CKPT [--n 2000] [--seed 2] [--temperature 1]</c>: where a class-conditional Fashion-MNIST model's class accuracy is
/// lost. Samples n images with the classes spread evenly (what <c>loom sample CKPT --class all</c> draws) and prints the
/// reference network's accuracy per requested class, with FID-FMNIST against the test set. For a VAE it also prints
/// the accuracy on real test images and on the model's reconstructions of them (decoder mean at the posterior mean),
/// which bounds what its samples can reach. <c>--fit-prior K</c> first fits a K-component latent mixture per class to the
/// VAE's posterior means of the training set (<see cref="VaeModel.FitLatentPrior"/>) and samples from it.
/// </summary>
public static class ClassAccuracyBench
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("usage: class-accuracy CHECKPOINT [--n 2000] [--seed 2] [--temperature 1] [--fit-prior K]");
            return 2;
        }
        int n = BenchSupport.Option(args, "--n", 2000);
        int seed = BenchSupport.Option(args, "--seed", 2);
        double temperature =
            double.Parse(BenchSupport.StringOption(args, "--temperature") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        using var model = Checkpoint.Load(args[0]);
        using var reference = ReferenceClassifier.LoadBundled();
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var scope = torch.NewDisposeScope();
        var real = reference.Extract(test.Images);
        if (model is VaeModel vae)
        {
            if (BenchSupport.Option(args, "--fit-prior", 0) is > 0 and var k)
            {
                using var train = FashionMnist.Load(FashionMnistSplit.Train);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                vae.FitLatentPrior(train.Images, train.Labels, new LatentPriorOptions { Components = k, Seed = seed });
                Console.WriteLine($"fitted a {k}-component latent mixture per class in {watch.Elapsed.TotalSeconds:F1} s");
            }
            var images = test.Images.narrow(0, 0, n);
            var labels = test.Labels.narrow(0, 0, n).to(ScalarType.Int64);
            Report("real test images", reference, images, labels, real);
            Report("reconstructions", reference, vae.Decode(vae.EncodeMean(images, labels), labels), labels, real);
        }
        if (model.Sample(new SampleRequest { Count = n, Seed = seed, Temperature = temperature })
            is not TensorSamples { Labels: { } requested } samples)
        {
            Console.Error.WriteLine($"{args[0]}: not a class-conditional image model");
            return 2;
        }
        Report($"samples (seed {seed}, T {temperature})", reference, samples.Values, requested, real);
        return 0;
    }

    private static void Report(string what, ReferenceClassifier reference, Tensor images, Tensor labels, Tensor real)
    {
        var (accuracy, perClass, fid) = Judge(reference, images, labels, real);
        Console.WriteLine($"{what,-22} accuracy {accuracy:P1}  FID-FMNIST {fid,6:F1}  per class "
            + $"{string.Join(" ", perClass.Select(a => a.ToString("P0")))}");
    }

    /// <summary>The reference network's accuracy on images of the given Fashion-MNIST classes (overall and per class
    /// 0–9), and their FID-FMNIST against <paramref name="real"/>'s features.</summary>
    internal static (double Accuracy, double[] PerClass, double Fid) Judge(ReferenceClassifier reference, Tensor images, Tensor labels,
        Tensor real)
    {
        using var scope = torch.NewDisposeScope();
        var hits = reference.Logits(images).argmax(1).eq(labels.to(ScalarType.Int64));
        var perClass = Enumerable.Range(0, 10).Select(c => hits.masked_select(labels.eq(c)).to(ScalarType.Float64).mean().ToDouble());
        double fid = FrechetDistance.Compute(real, reference.Extract(images)).Value;
        return (hits.to(ScalarType.Float64).mean().ToDouble(), [.. perClass], fid);
    }
}
