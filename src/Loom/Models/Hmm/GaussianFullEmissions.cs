using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>Gaussian emissions with a full covariance per state: <c>means [K, D]</c>, <c>covars [K, D, D]</c>.</summary>
internal sealed class GaussianFullEmissions : HmmEmissions
{
    private readonly Tensor means;
    private readonly Tensor covars;
    private readonly Tensor cholesky; // [K, D, D] lower
    private readonly Tensor logNorm;  // [K]: -0.5 (D log 2 pi + log det)

    public GaussianFullEmissions(Tensor means, Tensor covars) : base((int)means.shape[0])
    {
        GaussianShapes.CheckMeans(means);
        GaussianShapes.CheckFullCovars(covars, means);
        using var scope = NewDisposeScope();
        this.means = Own(means.to(ScalarType.Float64).cpu().clone());
        this.covars = Own(covars.to(ScalarType.Float64).cpu().clone());
        var (factor, info) = linalg.cholesky_ex(this.covars);
        long bad = info.max().to(ScalarType.Int64).item<long>();
        if (bad != 0)
            throw new LoomDataException($"covars: a state's covariance is not positive definite; raise MinCovar (now the smallest "
                + $"diagonal is {this.covars.diagonal(0, -2, -1).min().item<double>():G4})");
        cholesky = Own(factor);
        var logDet = 2 * cholesky.diagonal(0, -2, -1).log().sum(-1);
        logNorm = Own((logDet + Dim * Math.Log(2 * Math.PI)) * -0.5);
    }

    public override HmmEmission Kind => HmmEmission.GaussianFull;

    public override int Dim => (int)means.shape[1];

    public Tensor Means => means;

    public Tensor Covars => covars;

    public override Tensor LogProb(Tensor observations)
    {
        using var scope = NewDisposeScope();
        var lead = observations.shape[..^1];
        var flat = observations.reshape(-1, Dim);                              // [M, D]
        var diff = (flat.unsqueeze(0) - means.unsqueeze(1)).transpose(1, 2);   // [K, D, M]
        var z = linalg.solve_triangular(cholesky, diff, upper: false);          // [K, D, M]
        var maha = z.pow_(2).sum(1).t();                                     // [M, K]
        var result = (logNorm - 0.5 * maha).reshape(lead.Append(States).ToArray());
        return result.MoveToOuterDisposeScope();
    }

    public override Tensor[] NewStats() => new[]
    {
        zeros(States, dtype: ScalarType.Float64),
        zeros(States, Dim, dtype: ScalarType.Float64),
        zeros(States, Dim, Dim, dtype: ScalarType.Float64),
    };

    public override void Accumulate(Tensor[] stats, Tensor observations, Tensor weights)
    {
        using var scope = NewDisposeScope();
        stats[0].add_(weights.sum(0L));
        stats[1].add_(weights.t().matmul(observations));
        var weighted = weights.t().unsqueeze(2) * observations.unsqueeze(0); // [K, M, D]
        stats[2].add_(weighted.transpose(1, 2).matmul(observations));        // [K, D, D]
    }

    public override HmmEmissions MStep(Tensor[] stats, double minCovar)
    {
        using var scope = NewDisposeScope();
        var n = stats[0];
        var alive = n > 0;
        var safe = n.clamp_min(double.Epsilon);
        var mean = stats[1] / safe.unsqueeze(1);
        var cov = stats[2] / safe.view(-1, 1, 1) - mean.unsqueeze(2) * mean.unsqueeze(1);
        cov = 0.5 * (cov + cov.transpose(1, 2)) + minCovar * eye(Dim, dtype: ScalarType.Float64);
        return new GaussianFullEmissions(
            where(alive.unsqueeze(1), mean, means),
            where(alive.view(-1, 1, 1), cov, covars));
    }

    public override Tensor Sample(Tensor states, Generator generator)
    {
        using var scope = NewDisposeScope();
        var noise = randn(new[] { states.shape[0], (long)Dim, 1L }, dtype: ScalarType.Float64, generator: generator);
        return (means[states] + cholesky[states].matmul(noise).squeeze(2)).MoveToOuterDisposeScope();
    }

    public override IEnumerable<KeyValuePair<string, Tensor>> State => new[]
    {
        KeyValuePair.Create("means", means),
        KeyValuePair.Create("covars", covars),
    };

    public override Tensor PrepareSequence(Tensor sequence, string where) => PrepareVectors(sequence, Dim, where);
}
