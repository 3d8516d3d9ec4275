namespace Loom.Text.Decoding;

/// <summary>
/// One finished beam-search candidate.
/// </summary>
/// <param name="Tokens">The generated tokens after the prompt, ending with the end-of-sequence token when
/// <paramref name="Finished"/>.</param>
/// <param name="SumLogProbs">Sum of the (processed) log-probabilities of <paramref name="Tokens"/>.</param>
/// <param name="Score">SumLogProbs / Tokens.Length^length_penalty, the value beams are ranked by.</param>
/// <param name="Finished">True when it ended with an end-of-sequence token, false when it ran into max_new_tokens.</param>
public sealed record BeamHypothesis(IReadOnlyList<long> Tokens, double SumLogProbs, double Score, bool Finished);

/// <summary>Beam search output: for each prompt, up to num_beams hypotheses, best first.</summary>
public sealed class BeamSearchResult
{
    internal BeamSearchResult(IReadOnlyList<IReadOnlyList<BeamHypothesis>> hypotheses) => Hypotheses = hypotheses;

    /// <summary>Per prompt (in input order), the kept hypotheses sorted by descending score.</summary>
    public IReadOnlyList<IReadOnlyList<BeamHypothesis>> Hypotheses { get; }

    /// <summary>The best hypothesis of prompt <paramref name="prompt"/>.</summary>
    public BeamHypothesis Best(int prompt = 0) => Hypotheses[prompt][0];
}
