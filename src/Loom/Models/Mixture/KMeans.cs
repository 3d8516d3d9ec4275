using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Mixture;

/// <summary>k-means++ seeding and Lloyd iterations on batched distance computations (used to initialise EM).</summary>
internal static class KMeans
{
    /// <summary>Indices of k points chosen by greedy k-means++ (2 + ln k candidates per step, as scikit-learn does).</summary>
    public static long[] PlusPlusIndices(Tensor x, int k, Generator generator)
    {
        long n = x.shape[0];
        int candidates = 2 + (int)Math.Log(k);
        var chosen = new long[k];
        using var outer = torch.NewDisposeScope();
        chosen[0] = torch.randint(n, [1], generator: generator).item<long>();
        var closest = SquaredDistances(x, x[chosen[0]].unsqueeze(0)).squeeze(1); // [n]
        for (int c = 1; c < k; c++)
        {
            using var scope = torch.NewDisposeScope();
            var total = closest.sum();
            Tensor picks = total.item<double>() > 0
                ? torch.multinomial(closest / total, candidates, replacement: true, generator: generator)
                : torch.randint(n, [candidates], generator: generator);
            var dists = SquaredDistances(x, x.index_select(0, picks)); // [n,candidates]
            var newClosest = torch.minimum(closest.unsqueeze(1), dists); // [n,candidates]
            var best = newClosest.sum(0L).argmin().item<long>();
            chosen[c] = picks[best].item<long>();
            closest.copy_(newClosest[.., best]);
        }
        return chosen;
    }

    /// <summary>Hard labels [n] after Lloyd iterations from k-means++ centers.</summary>
    public static Tensor Labels(Tensor x, int k, Generator generator, int maxIter = 300, double tol = 1e-4)
    {
        var centers = x.index_select(0, torch.tensor(PlusPlusIndices(x, k, generator))).clone();
        var tolerance = tol * x.var(0L).mean().item<double>();
        Tensor labels = torch.zeros(x.shape[0], dtype: ScalarType.Int64);
        for (int iter = 0; iter < maxIter; iter++)
        {
            using var scope = torch.NewDisposeScope();
            var newLabels = SquaredDistances(x, centers).argmin(1);
            var onehot = torch.nn.functional.one_hot(newLabels, k).to(x.dtype); // [n,k]
            var counts = onehot.sum(0L);
            var sums = onehot.t().matmul(x);
            var empty = counts.eq(0);
            var newCenters = torch.where(empty.unsqueeze(1), centers, sums / counts.clamp_min(1).unsqueeze(1));
            var shift = (newCenters - centers).square().sum().item<double>();
            centers.copy_(newCenters);
            labels.Dispose();
            labels = newLabels.MoveToOuterDisposeScope();
            if (shift <= tolerance)
                break;
        }
        centers.Dispose();
        return labels;
    }


    /// <summary>Squared Euclidean distances [n,m] between rows of a [n,d] and b [m,d].</summary>
    public static Tensor SquaredDistances(Tensor a, Tensor b) =>
        ((a * a).sum(1, keepdim: true) - 2 * a.matmul(b.t()) + (b * b).sum(1).unsqueeze(0)).clamp_min(0);
}
