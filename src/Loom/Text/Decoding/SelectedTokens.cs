namespace Loom.Text.Decoding;

/// <summary>
/// The tokens <see cref="TokenSelector"/> chose for one step as managed arrays (no tensors to dispose): what a decoding
/// loop reads back after each step.
/// </summary>
/// <param name="Tokens">[B]: the chosen token of each row.</param>
/// <param name="LogProbs">[B]: the log-probability of each chosen token.</param>
/// <param name="TopTokens">[B × <paramref name="Alternatives"/>], row-major, best first; null when none were asked for.</param>
/// <param name="TopLogProbs">The log-probabilities of <paramref name="TopTokens"/>, laid out the same way.</param>
/// <param name="Alternatives">How many alternatives each row reports (0 when none were asked for).</param>
public sealed record SelectedTokens(long[] Tokens, double[] LogProbs, long[]? TopTokens, double[]? TopLogProbs, int Alternatives);
