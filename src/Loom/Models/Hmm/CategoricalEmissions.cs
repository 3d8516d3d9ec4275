using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>Categorical emissions: state k emits symbol s with probability <c>emissionprob[k, s]</c>.</summary>
internal sealed class CategoricalEmissions : HmmEmissions
{
    private readonly Tensor prob;     // [K, S]
    private readonly Tensor logProbT; // [S, K]: row s = log p(s | every state)

    public CategoricalEmissions(Tensor emissionProb) : base((int)emissionProb.shape[0])
    {
        if (emissionProb.dim() != 2)
            throw new LoomDataException($"emissionprob: expected shape [states, symbols], got [{string.Join(", ", emissionProb.shape)}]");
        using var scope = NewDisposeScope();
        prob = Own(emissionProb.to(ScalarType.Float64).cpu().clone());
        logProbT = Own(prob.log().t().contiguous());
    }

    public override HmmEmission Kind => HmmEmission.Categorical;

    public override int Dim => (int)prob.shape[1];

    public Tensor Probabilities => prob;

    public override Tensor LogProb(Tensor observations) => logProbT[observations];

    public override Tensor[] NewStats() => new[] { zeros(Dim, States, dtype: ScalarType.Float64) };

    public override void Accumulate(Tensor[] stats, Tensor observations, Tensor weights) =>
        stats[0].index_add_(0, observations, weights, 1.0);

    public override HmmEmissions MStep(Tensor[] stats, double minCovar)
    {
        using var scope = NewDisposeScope();
        var counts = stats[0].t();
        var total = counts.sum(1, keepdim: true);
        var next = where(total > 0, counts / total.clamp_min(double.Epsilon), prob);
        return new CategoricalEmissions(next);
    }

    public override Tensor Sample(Tensor states, Generator generator)
    {
        using var scope = NewDisposeScope();
        return prob[states].multinomial(1, replacement: true, generator: generator).squeeze(1).MoveToOuterDisposeScope();
    }

    public override IEnumerable<KeyValuePair<string, Tensor>> State => new[] { KeyValuePair.Create("emissionprob", prob) };

    public override Tensor PrepareSequence(Tensor sequence, string where)
    {
        using var scope = NewDisposeScope();
        if (sequence.dim() != 1)
            throw new LoomDataException($"{where}: expected a 1-D tensor of symbols, got shape [{string.Join(", ", sequence.shape)}]");
        if (sequence.shape[0] == 0)
            throw new LoomDataException($"{where}: the sequence is empty");
        if (sequence.is_floating_point() || sequence.dtype == ScalarType.Bool || sequence.is_complex())
            throw new LoomDataException($"{where}: symbols must be an integer tensor, got {sequence.dtype}");
        var x = sequence.to(ScalarType.Int64).cpu();
        if (ReferenceEquals(x, sequence))
            x = sequence.clone();
        long min = x.min().item<long>(), max = x.max().item<long>();
        if (min < 0 || max >= Dim)
            throw new LoomDataException($"{where}: symbol {(min < 0 ? min : max)} is out of range; the model has symbols 0..{Dim - 1}");
        return x.MoveToOuterDisposeScope();
    }
}
