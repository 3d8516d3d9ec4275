namespace Loom.Watermarks.Images;

/// <summary>
/// What <see cref="ImageWatermarkDetector"/> read from one image, at the alignment that matched best.
/// </summary>
/// <param name="MatchingBits">Read bits equal to the key's payload.</param>
/// <param name="PayloadBits">Bits read.</param>
/// <param name="Bits">The bits read.</param>
/// <param name="PValue">The chance that an unmarked image matches this many bits at one of the alignments tried: the
/// fair-coin binomial tail times the number of alignments (Bonferroni), at most 1.</param>
/// <param name="Threshold">Matching bits needed to say <see cref="Detected"/>.</param>
/// <param name="Detected">True when <see cref="MatchingBits"/> reached <see cref="Threshold"/>.</param>
/// <param name="Blur">The Gaussian blur (pixels) compensated (0: none).</param>
public sealed record ImageWatermarkDetection(int MatchingBits, int PayloadBits, IReadOnlyList<bool> Bits, double PValue,
    int Threshold, bool Detected, double Blur)
{
    /// <summary>The share of payload bits read correctly.</summary>
    public double BitAccuracy => (double)MatchingBits / PayloadBits;
}
