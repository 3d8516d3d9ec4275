using Loom.Data;
using Loom.Evaluation.Distribution;
using Loom.Evaluation.Reference;
using Loom.IO.Checkpoints;
using Loom.Models.Latent;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>cvae-probe CKPT [--n 1000]</c>: where a CVAE's class accuracy is lost. Prints the reference network's accuracy
/// on real test images, on the CVAE's reconstructions of them (decoder mean at the posterior mean), and on prior
/// samples, per class, so a sampling shortfall can be told apart from a decoder (blur) shortfall.
/// </summary>
public static class CvaeProbeBench
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("usage: cvae-probe CHECKPOINT [--n 1000]");
            return 2;
        }
        int n = BenchSupport.Option(args, "--n", 1000);
        using var model = (VaeModel)Checkpoint.Load(args[0]);
        using var reference = ReferenceClassifier.LoadBundled();
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var scope = torch.NewDisposeScope();
        var images = test.Images.narrow(0, 0, n);
        var labels = test.Labels.narrow(0, 0, n).to(ScalarType.Int64);
        var real = reference.Extract(test.Images);
        Report("real test images", reference, images, labels, real);
        var reconstructions = model.Decode(model.EncodeMean(images, labels), labels);
        Report("reconstructions", reference, reconstructions, labels, real);
        var cycled = torch.arange(n, dtype: ScalarType.Int64) % 10;
        foreach (var temperature in new[] { 1.0, 0.7 })
            Report($"prior samples T={temperature}", reference, model.Decode(model.PriorLatents(n, 1, temperature), cycled), cycled, real);
        return 0;
    }

    private static void Report(string what, ReferenceClassifier reference, Tensor images, Tensor labels, Tensor real)
    {
        using var scope = torch.NewDisposeScope();
        var predicted = reference.Logits(images).argmax(1);
        var hits = predicted.eq(labels);
        var perClass = Enumerable.Range(0, 10).Select(c =>
        {
            var mask = labels.eq(c);
            return hits.masked_select(mask).to(ScalarType.Float64).mean().ToDouble();
        });
        double fid = FrechetDistance.Compute(real, reference.Extract(images)).Value;
        Console.WriteLine($"{what,-24} accuracy {hits.to(ScalarType.Float64).mean().ToDouble():P1}  FID {fid,7:F1}  per class {string.Join(" ", perClass.Select(a => a.ToString("P0")))}");
    }
}
