using Loom.Core;

namespace Loom.Data.Audio;

/// <summary>
/// The speaker settings <see cref="SpokenDigits"/> synthesizes every digit word with: each combination of an espeak-ng
/// voice, a voice variant, a pitch and a speed is one speaker. <see cref="Default"/> is the catalogued data set; tests
/// pass a smaller grid.
/// </summary>
public sealed record SpokenDigitsOptions
{
    /// <summary>espeak-ng voices (languages).</summary>
    public IReadOnlyList<string> Voices { get; init; } = ["en-us", "en-gb", "en-gb-scotland", "en-029"];
    /// <summary>Voice variants ("" = the voice's own, else an espeak-ng variant appended as +name).</summary>
    public IReadOnlyList<string> Variants { get; init; } = ["", "m3", "f2"];
    /// <summary>espeak-ng pitches (0–99, default 50).</summary>
    public IReadOnlyList<int> Pitches { get; init; } = [40, 60];
    /// <summary>espeak-ng speeds in words per minute.</summary>
    public IReadOnlyList<int> Speeds { get; init; } = [140, 180];
    /// <summary>The stored sample rate in Hz.</summary>
    public int SampleRate { get; init; } = SpokenDigits.SampleRate;
    /// <summary>Every <see cref="TestEvery"/>-th speaker (in grid order, counting from 1) is in the test split.</summary>
    public int TestEvery { get; init; } = 4;

    /// <summary>The catalogued grid: 4 voices × 3 variants × 2 pitches × 2 speeds = 48 speakers, 480 clips.</summary>
    public static SpokenDigitsOptions Default { get; } = new();

    /// <summary>Checks the grid; errors name the property.</summary>
    public void Validate()
    {
        if (Voices.Count == 0 || Voices.Any(v => v.Length == 0 || !v.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
            throw new LoomUsageException("spoken-digits Voices: needs one or more espeak-ng voice names (letters, digits, '-')");
        if (Variants.Count == 0 || Variants.Any(v => !v.All(char.IsAsciiLetterOrDigit)))
            throw new LoomUsageException("spoken-digits Variants: needs one or more variant names (letters and digits, '' = none)");
        if (Pitches.Count == 0 || Pitches.Any(p => p is < 0 or > 99))
            throw new LoomUsageException("spoken-digits Pitches: needs one or more pitches from 0 to 99");
        if (Speeds.Count == 0 || Speeds.Any(s => s is < 80 or > 450))
            throw new LoomUsageException("spoken-digits Speeds: needs one or more speeds from 80 to 450 words per minute");
        if (SampleRate is < 4000 or > 48000)
            throw new LoomUsageException($"spoken-digits SampleRate: must be 4000 to 48000 Hz, got {SampleRate}");
        if (TestEvery < 2) throw new LoomUsageException($"spoken-digits TestEvery: must be at least 2, got {TestEvery}");
    }

    /// <summary>The speakers in grid order (voice, then variant, pitch, speed).</summary>
    public IReadOnlyList<SpokenDigitSpeaker> Speakers()
    {
        var speakers = new List<SpokenDigitSpeaker>();
        foreach (var voice in Voices)
            foreach (var variant in Variants)
                foreach (var pitch in Pitches)
                    foreach (var speed in Speeds)
                    {
                        bool test = (speakers.Count + 1) % TestEvery == 0;
                        speakers.Add(new SpokenDigitSpeaker(variant.Length == 0 ? voice : $"{voice}+{variant}", pitch, speed,
                            test ? SpokenDigits.TestSplit : SpokenDigits.TrainSplit));
                    }
        return speakers;
    }
}

/// <summary>One speaker setting: espeak-ng voice (with variant), pitch, speed, and the split its clips belong to.</summary>
public sealed record SpokenDigitSpeaker(string Voice, int Pitch, int Speed, string Split)
{
    /// <summary>The setting as a file-name stem, e.g. <c>en-us+m3_p40_s140</c>.</summary>
    public string Stem => $"{Voice}_p{Pitch}_s{Speed}";
}
