using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>
/// Starting parameters for Baum-Welch, all drawn from <see cref="Seeding.Generator"/> with the options' seed.
/// Gaussian k-means init (as hmmlearn does): uniform start and transition probabilities, means from seeded
/// k-means++ followed by Lloyd iterations, every state's covariance = the data covariance (+ min_covar).
/// Random init: random start and transition rows, means at distinct random observations. Categorical: random
/// emission rows (and random start/transitions with <see cref="HmmInit.Random"/>, uniform otherwise).
/// </summary>
internal static class HmmInitializer
{
    public static HmmParameters Initialize(IReadOnlyList<Tensor> sequences, HmmOptions o, int dim)
    {
        using var scope = NewDisposeScope();
        using var g = Seeding.Generator(o.Seed, "hmm-init");
        int k = o.States;
        bool random = o.Init == HmmInit.Random;
        var start = random ? RandomRows(1, k, g).squeeze(0) : full(k, 1.0 / k, dtype: ScalarType.Float64);
        var trans = random ? RandomRows(k, k, g) : full(k, k, 1.0 / k, dtype: ScalarType.Float64);
        HmmEmissions emissions;
        if (o.Emission == HmmEmission.Categorical)
        {
            emissions = new CategoricalEmissions(RandomRows(k, dim, g));
        }
        else
        {
            var x = cat(sequences.ToArray(), 0);                                   // [M, D]
            if (x.shape[0] < k)
                throw LoomDataException.ForOption("States", $"the data has {x.shape[0]} observations, fewer than the {k} states");
            var means = random ? x[randperm(x.shape[0], generator: g)[..k]] : KMeans(x, k, g);
            var centered = x - x.mean(new long[] { 0 });
            var cov = centered.t().matmul(centered) / Math.Max(1, x.shape[0] - 1);
            var eye = torch.eye(dim, dtype: ScalarType.Float64);
            emissions = o.Emission == HmmEmission.GaussianDiag
                ? new GaussianDiagEmissions(means, (cov.diagonal() + o.MinCovar).expand(k, dim))
                : new GaussianFullEmissions(means, (cov + o.MinCovar * eye).expand(k, dim, dim));
        }
        return new HmmParameters(start, trans, emissions);
    }

    /// <summary>Seeded k-means (k-means++ seeding, then Lloyd iterations until assignments stop changing); returns centers <c>[K,
    /// D]</c>.</summary>
    public static Tensor KMeans(Tensor x, int k, Generator g, int maxIter = 100)
    {
        long m = x.shape[0];
        var centers = x[randint(m, new long[] { 1 }, generator: g, dtype: ScalarType.Int64)];
        for (int c = 1; c < k; c++)
        {
            using var step = NewDisposeScope();
            var nearest = SquaredDistances(x, centers).amin(1);
            var total = nearest.sum().item<double>();
            var weights = total > 0 ? nearest : ones_like(nearest);
            var pick = weights.multinomial(1, generator: g);
            centers = cat(new[] { centers, x[pick] }, 0).MoveToOuterDisposeScope();
        }
        Tensor? assign = null;
        for (int iter = 0; iter < maxIter; iter++)
        {
            using var step = NewDisposeScope();
            var next = SquaredDistances(x, centers).argmin(1);
            if (assign is not null && (next == assign).all().item<bool>())
                break;
            var onehot = nn.functional.one_hot(next, k).to(ScalarType.Float64);  // [M, K]
            var counts = onehot.sum(0L).unsqueeze(1);
            var sums = onehot.t().matmul(x);
            centers = where(counts > 0, sums / counts.clamp_min(1), centers).MoveToOuterDisposeScope();
            assign = next.MoveToOuterDisposeScope();
        }
        return centers;
    }

    private static Tensor SquaredDistances(Tensor x, Tensor centers) =>
        (x.unsqueeze(1) - centers.unsqueeze(0)).pow_(2).sum(-1);

    private static Tensor RandomRows(long rows, long cols, Generator g)
    {
        var r = rand(new[] { rows, cols }, dtype: ScalarType.Float64, generator: g) + 1e-3;
        return r / r.sum(1, keepdim: true);
    }
}
