using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>Gaussian emissions with a diagonal covariance per state: <c>means [K, D]</c>, <c>covars [K, D]</c> (variances).</summary>
internal sealed class GaussianDiagEmissions : HmmEmissions
{
    private readonly Tensor means;
    private readonly Tensor covars;
    private readonly Tensor logNorm; // [K]: -0.5 (D log 2 pi + sum log var)

    public GaussianDiagEmissions(Tensor means, Tensor covars) : base((int)means.shape[0])
    {
        GaussianShapes.CheckMeans(means);
        GaussianShapes.CheckDiagCovars(covars, means);
        using var scope = NewDisposeScope();
        this.means = Own(means.to(ScalarType.Float64).cpu().clone());
        this.covars = Own(covars.to(ScalarType.Float64).cpu().clone());
        logNorm = Own((this.covars.log().sum(1) + Dim * Math.Log(2 * Math.PI)) * -0.5);
    }

    public override HmmEmission Kind => HmmEmission.GaussianDiag;

    public override int Dim => (int)means.shape[1];

    public Tensor Means => means;

    public Tensor Covars => covars;

    public override Tensor LogProb(Tensor observations)
    {
        using var scope = NewDisposeScope();
        var diff = observations.unsqueeze(-2) - means;           // [..., K, D]
        var maha = (diff.pow_(2) / covars).sum(-1);           // [..., K]
        return (logNorm - 0.5 * maha).MoveToOuterDisposeScope();
    }

    public override Tensor[] NewStats() => new[]
    {
        zeros(States, dtype: ScalarType.Float64),
        zeros(States, Dim, dtype: ScalarType.Float64),
        zeros(States, Dim, dtype: ScalarType.Float64),
    };

    public override void Accumulate(Tensor[] stats, Tensor observations, Tensor weights)
    {
        using var scope = NewDisposeScope();
        var wt = weights.t();
        stats[0].add_(weights.sum(0L));
        stats[1].add_(wt.matmul(observations));
        stats[2].add_(wt.matmul(observations.square()));
    }

    public override HmmEmissions MStep(Tensor[] stats, double minCovar)
    {
        using var scope = NewDisposeScope();
        var n = stats[0].unsqueeze(1);
        var alive = n > 0;
        var safe = n.clamp_min(double.Epsilon);
        var mean = stats[1] / safe;
        var variance = stats[2] / safe - mean.square() + minCovar;
        return new GaussianDiagEmissions(where(alive, mean, means), where(alive, variance, covars));
    }

    public override Tensor Sample(Tensor states, Generator generator)
    {
        using var scope = NewDisposeScope();
        var noise = randn(new[] { states.shape[0], (long)Dim }, dtype: ScalarType.Float64, generator: generator);
        return (means[states] + covars[states].sqrt() * noise).MoveToOuterDisposeScope();
    }

    public override IEnumerable<KeyValuePair<string, Tensor>> State => new[]
    {
        KeyValuePair.Create("means", means),
        KeyValuePair.Create("covars", covars),
    };

    public override Tensor PrepareSequence(Tensor sequence, string where) => PrepareVectors(sequence, Dim, where);
}
