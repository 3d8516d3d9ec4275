namespace Loom.Text.Decoding;

/// <summary>
/// The best finished hypotheses of one prompt during beam search, with Hugging Face's bookkeeping: at most
/// num_beams are kept, and <see cref="IsDone"/> decides when running beams can no longer improve on them.
/// </summary>
internal sealed class BeamHypotheses(int numBeams, double lengthPenalty, bool earlyStopping)
{
    private readonly List<BeamHypothesis> _beams = [];
    private double _worstScore = 1e9;

    public int Count => _beams.Count;

    /// <summary>Adds a hypothesis of <paramref name="tokens"/> (generated tokens only) if it beats the worst kept one.</summary>
    public void Add(long[] tokens, double sumLogProbs, bool finished)
    {
        double score = sumLogProbs / Math.Pow(tokens.Length, lengthPenalty);
        if (_beams.Count >= numBeams && score <= _worstScore)
            return;
        _beams.Add(new BeamHypothesis(tokens, sumLogProbs, score, finished));
        if (_beams.Count > numBeams)
        {
            var ascending = _beams.OrderBy(b => b.Score).ToList();
            _beams.Remove(ascending[0]);
            _worstScore = ascending[1].Score;
        }
        else
            _worstScore = Math.Min(score, _worstScore);
    }

    /// <summary>
    /// True when num_beams hypotheses are kept and either early stopping is on, or the best running sum
    /// <paramref name="bestSumLogProbs"/> at <paramref name="generatedLength"/> tokens scores no better than the worst kept one.
    /// </summary>
    public bool IsDone(double bestSumLogProbs, int generatedLength)
    {
        if (_beams.Count < numBeams)
            return false;
        if (earlyStopping)
            return true;
        return _worstScore >= bestSumLogProbs / Math.Pow(generatedLength, lengthPenalty);
    }

    /// <summary>The kept hypotheses, best first (stable for equal scores).</summary>
    public IReadOnlyList<BeamHypothesis> Sorted() => _beams.OrderByDescending(b => b.Score).ToArray();
}
