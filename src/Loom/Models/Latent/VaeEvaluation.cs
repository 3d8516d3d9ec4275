using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>
/// The held-out metrics a VAE training run writes to its card, in nats per example: the ELBO (one sample, averaged over
/// 10 draws) and the importance-sampled NLL, plus bits per dimension for images.
/// </summary>
public static class VaeEvaluation
{
    /// <summary>
    /// <c>test_examples</c>, <c>test_elbo</c>, <c>test_nll_k{k}</c> (when <paramref name="k"/> &gt; 0) and, for images,
    /// <c>test_nll_bits_per_dim</c>, on up to <paramref name="count"/> examples of <paramref name="heldOut"/>.
    /// </summary>
    public static Dictionary<string, double> Evaluate(VaeModel model, TrainingData heldOut, int count, int k, long seed)
    {
        using var scope = torch.NewDisposeScope();
        var (x, labels) = HeldOutBatch(model, heldOut, count, seed);
        var metrics = new Dictionary<string, double> { ["test_examples"] = x.shape[0] };
        model.Network.eval();
        using (torch.no_grad())
        {
            torch.random.manual_seed(seed);
            var device = model.Network.parameters().First().device;
            double elbo = 0;
            for (int draw = 0; draw < 10; draw++)
                elbo += model.Network.Elbo(x.to(device), labels?.to(device)).Elbo.mean().ToDouble() / 10;
            metrics["test_elbo"] = elbo;
        }
        if (k > 0)
            metrics[$"test_nll_k{k}"] = model.ExampleNll(x, labels, k, seed).mean().ToDouble();
        if (model.Config.Images)
        {
            double nll = k > 0 ? metrics[$"test_nll_k{k}"] : -metrics["test_elbo"];
            metrics["test_nll_bits_per_dim"] = nll / model.Config.DataDim / Math.Log(2);
        }
        return metrics;
    }

    /// <summary>
    /// The first <paramref name="count"/> held-out examples (binarized with a fixed seed for a Bernoulli model) and labels.
    /// </summary>
    public static (Tensor X, Tensor? Labels) HeldOutBatch(VaeModel model, TrainingData heldOut, int count, long seed)
    {
        using var scope = torch.NewDisposeScope();
        long n = Math.Min(count, heldOut.Count);
        var x = model.Config.Likelihood == VaeLikelihood.Bernoulli ? ImagePixels.BinarizedOnce(heldOut.Examples, seed) : heldOut.Examples;
        var labels = model.NumClasses > 0 ? heldOut.Labels?.narrow(0, 0, n).MoveToOuterDisposeScope() : null;
        return (x.narrow(0, 0, n).MoveToOuterDisposeScope(), labels);
    }
}
