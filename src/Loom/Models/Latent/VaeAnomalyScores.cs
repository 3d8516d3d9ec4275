using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>What makes an example look anomalous to a VAE.</summary>
public enum AnomalyScoreKind
{
    /// <summary>−ELBO (nats), averaged over several posterior samples.</summary>
    Elbo,
    /// <summary>Reconstruction error of the decoded posterior mean: cross-entropy (Bernoulli) or squared error (Gaussian).</summary>
    Reconstruction,
    /// <summary>Importance-sampled −log p(x) (nats).</summary>
    Nll,
}

/// <summary>
/// Autoencoder anomaly scores: higher = less like the training data. Inputs are data-space examples (images in [0, 1]);
/// a Bernoulli model scores ELBO and NLL on a fixed binarization (seeded), and reconstruction on the gray levels.
/// </summary>
public static class VaeAnomalyScores
{
    public static AnomalyScoreKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "elbo" => AnomalyScoreKind.Elbo,
        "reconstruction" or "recon" => AnomalyScoreKind.Reconstruction,
        "nll" => AnomalyScoreKind.Nll,
        _ => throw LoomUsageException.ForOption("Score", $"expected elbo, reconstruction or nll, got '{text}'"),
    };

    /// <summary>Scores [n] float64 on the CPU, computed in batches of <paramref name="batch"/>.</summary>
    public static Tensor Score(VaeModel model, Tensor examples, Tensor? labels, AnomalyScoreKind kind, long seed, int k = 100,
        int elboDraws = 10, int batch = 500)
    {
        if (kind == AnomalyScoreKind.Nll)
            return model.ExampleNll(Likelihood(model, examples, seed), labels, k, seed);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var network = model.Network;
        network.eval();
        torch.random.manual_seed(seed);
        var device = network.parameters().First().device;
        var input = kind == AnomalyScoreKind.Elbo ? Likelihood(model, examples, seed) : examples.to(ScalarType.Float32);
        var parts = new List<Tensor>();
        for (long start = 0; start < input.shape[0]; start += batch)
        {
            using var inner = torch.NewDisposeScope();
            long take = Math.Min(batch, input.shape[0] - start);
            var x = input.narrow(0, start, take).to(device);
            var y = labels?.narrow(0, start, take).to(device);
            Tensor score;
            if (kind == AnomalyScoreKind.Elbo)
            {
                score = torch.zeros(take, dtype: ScalarType.Float64, device: device);
                for (int d = 0; d < elboDraws; d++) score = score - network.Elbo(x, y).Elbo.to(ScalarType.Float64) / elboDraws;
            }
            else
            {
                var mean = network.Encode(x, y).Mean;
                score = -network.LogLikelihood(x, network.DecodeRaw(mean, y)).to(ScalarType.Float64);
            }
            parts.Add(score.cpu().MoveToOuterDisposeScope());
        }
        return torch.cat(parts).MoveToOuterDisposeScope();
    }

    private static Tensor Likelihood(VaeModel model, Tensor examples, long seed)
    {
        if (model.Config.Likelihood != VaeLikelihood.Bernoulli) return examples.to(ScalarType.Float32);
        using var generator = new torch.Generator((ulong)seed);
        return torch.bernoulli(examples.to(ScalarType.Float32), generator: generator);
    }
}
