namespace Loom.Text.Watermarks;

/// <summary>
/// What <see cref="WatermarkDetector"/> found in one text.
/// </summary>
/// <param name="TokensScored">Tokens tested (T): those with a full context, each (context, token) pair once when repeats
/// are ignored.</param>
/// <param name="GreenTokens">How many of them are green.</param>
/// <param name="GreenFraction">GreenTokens / TokensScored (NaN when nothing was scored).</param>
/// <param name="ExpectedGreenFraction">The green chance γ of unwatermarked text: round(γV)/V.</param>
/// <param name="ZScore">(green − γT) / sqrt(Tγ(1 − γ)); NaN when nothing was scored.</param>
/// <param name="PValue">One-sided normal tail P(Z ≥ z): the chance of a z this high without the watermark.</param>
/// <param name="ZThreshold">The z the verdict compares against.</param>
/// <param name="IsWatermarked">ZScore &gt; ZThreshold.</param>
public sealed record WatermarkDetection(int TokensScored, int GreenTokens, double GreenFraction, double ExpectedGreenFraction,
    double ZScore, double PValue, double ZThreshold, bool IsWatermarked);
