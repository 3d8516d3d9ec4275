namespace Loom.Audio;

/// <summary>
/// Cuts leading and trailing silence: the clip keeps the samples from <see cref="Margin"/> before the first sample whose
/// magnitude reaches <see cref="Threshold"/> times the clip's peak to <see cref="Margin"/> after the last one.
/// </summary>
/// <param name="Threshold">Fraction of the peak magnitude that counts as sound.</param>
/// <param name="Margin">Samples kept on each side of the sound.</param>
public sealed record SilenceTrim(double Threshold = 0.02, int Margin = 80)
{
    /// <summary>The trimmed clip (an all-zero clip is returned as it is).</summary>
    public AudioClip Apply(AudioClip clip)
    {
        var x = clip.Samples;
        float peak = x.Length == 0 ? 0 : x.Max(Math.Abs);
        if (peak == 0) return clip;
        double level = Threshold * peak;
        int first = Array.FindIndex(x, s => Math.Abs(s) >= level);
        int last = Array.FindLastIndex(x, s => Math.Abs(s) >= level);
        int start = Math.Max(0, first - Margin), end = Math.Min(x.Length, last + 1 + Margin);
        return new AudioClip(x[start..end], clip.SampleRate);
    }
}
