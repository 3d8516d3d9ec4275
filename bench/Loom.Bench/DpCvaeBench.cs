using System.Globalization;
using Loom.Data;
using Loom.Evaluation.Memorization;
using Loom.Evaluation.Reference;
using Loom.Models;
using Loom.Models.Latent;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>dp-cvae [--images 1000] [--attack n] [--steps 4000] [--batch 64] [--hidden 400] [--epsilons 8,1] [--samples 1000]</c>:
/// a class-conditional MLP VAE (Bernoulli likelihood, latent 16, seed 0) on the first n Fashion-MNIST training images of
/// all ten classes (<c>TrainLimit</c>; 0 = all 60,000), trained as usual and with DP-SGD at each ε (δ 1e-5, clip 1) on
/// the same recipe. Utility per run: the mean −ELBO over 8 latent draws on the first <c>--attack</c> test images (default
/// n, or 1,000 with all images), and the reference classifier's accuracy and FID-FMNIST (against the test set) of
/// <c>--samples</c> conditional samples spread evenly over the classes. Privacy per run: the loss-threshold
/// membership-inference attack (<see cref="MembershipInference"/>) with that −ELBO, on the first <c>--attack</c>
/// training images (all of them trained on) against those test images.
/// </summary>
public static class DpCvaeBench
{
    public static int Run(string[] args)
    {
        int n = BenchSupport.Option(args, "--images", 1000);
        int attacked = BenchSupport.Option(args, "--attack", n > 0 ? n : 1000);
        if (attacked < 1 || (n > 0 && attacked > n))
            throw new ArgumentException($"--attack {attacked}: give 1..{(n > 0 ? n : 60000)} (the attack's members are training images)");
        int steps = BenchSupport.Option(args, "--steps", 4000);
        int batch = BenchSupport.Option(args, "--batch", 64);
        int hidden = BenchSupport.Option(args, "--hidden", 400);
        int sampleCount = BenchSupport.Option(args, "--samples", 1000);
        var epsilons = DpMiaBench.Epsilons(args);
        int[] all = [.. Enumerable.Range(0, FashionMnist.ClassNames.Count)];
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        var (members, memberLabels) = DpVaeBench.PickLabelled(train, all, attacked);
        var (nonMembers, nonMemberLabels) = DpVaeBench.PickLabelled(test, all, attacked);
        using var reference = ReferenceClassifier.LoadBundled();
        using var real = reference.Extract(test.Images);
        var perClass = memberLabels.bincount(null, 10).data<long>().ToArray();
        Console.WriteLine($"dp-cvae: MLP CVAE (bernoulli, hidden {hidden}, latent 16), {steps} steps, batch {batch}, "
            + $"{(n > 0 ? $"the first {n}" : "all")} training images; attack on {members.shape[0]} of them (per class "
            + $"{string.Join(",", perClass)}) vs {nonMembers.shape[0]} test images; {sampleCount} samples judged");
        var folder = Path.Combine(Path.GetTempPath(), $"loom-dp-cvae-{Environment.ProcessId}");
        foreach (double? epsilon in new double?[] { null }.Concat(epsilons.Select(e => (double?)e)))
        {
            var recipe = new VaeRecipe
            {
                Data = FashionMnist.Name, Conditional = true, TrainLimit = n, Hidden = hidden, LatentDim = 16, Steps = steps,
                BatchSize = batch, Seed = 0, EvalK = 0, EvalN = attacked, CheckpointEvery = 0, DpEpsilon = epsilon,
                DpClip = epsilon is null ? null : 1.0,
            };
            var output = Path.Combine(folder, epsilon is null ? "plain" : $"dp{epsilon}");
            var (outcome, seconds) = DpVaeBench.Train(recipe, output);
            using var owned = outcome;
            var vae = (VaeModel)outcome.Model;
            var attack = MembershipInference.LossThreshold(DpVaeBench.Losses(vae, members, memberLabels),
                DpVaeBench.Losses(vae, nonMembers, nonMemberLabels));
            if (vae.Sample(new SampleRequest { Count = sampleCount, Seed = 2 }) is not TensorSamples { Labels: { } requested } samples)
                throw new InvalidOperationException("the CVAE's samples came without their classes");
            using (samples)
            {
                var (accuracy, _, fid) = ClassAccuracyBench.Judge(reference, samples.Values, requested, real);
                var card = Loom.IO.Checkpoints.Checkpoint.ReadCard(output).Privacy;
                string privacy = card is null ? "non-private" : string.Create(CultureInfo.InvariantCulture,
                    $"ε {card.Epsilon:F2} σ {card.NoiseMultiplier:F3}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{privacy,-20} train −ELBO {attack.MeanMemberLoss:F1}  test −ELBO {attack.MeanNonMemberLoss:F1} nats  "
                    + $"class accuracy {accuracy:P1}  FID-FMNIST {fid:F1}  {DpMiaBench.Mia(attack)}  train {seconds:F0} s"));
            }
        }
        foreach (var t in new[] { members, memberLabels, nonMembers, nonMemberLabels }) t.Dispose();
        Directory.Delete(folder, recursive: true);
        return 0;
    }
}
