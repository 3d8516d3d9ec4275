using System.Text.RegularExpressions;
using Loom.Core;

namespace Loom.Audio;

/// <summary>
/// Audio samples read back from WAV files — one file, or every <c>.wav</c> in a folder in natural name order (clip-2 before
/// clip-10) — with the class each clip was drawn for taken from its title (<see cref="WavFile.ReadTitle(string)"/>, what
/// <c>loom sample</c> writes). The clips are labelled only when every one has a title; the class names are the titles in
/// order of first appearance.
/// </summary>
public static partial class AudioSampleFiles
{
    /// <summary>True when <paramref name="path"/> is a .wav file or a folder holding at least one.</summary>
    public static bool Holds(string path) =>
        File.Exists(path) ? path.EndsWith(".wav", StringComparison.OrdinalIgnoreCase)
        : Directory.Exists(path) && Directory.EnumerateFiles(path, "*.wav").Any();

    /// <summary>The clips of <paramref name="path"/> (a .wav file or a folder of them), at most <paramref name="limit"/>.</summary>
    public static AudioSamples Read(string path, int limit = int.MaxValue)
    {
        var files = File.Exists(path) ? [path] : Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.wav").Order(Comparer<string>.Create(NaturalCompare)).Take(limit).ToList()
            : throw new LoomDataException($"{path}: no such WAV file or folder");
        if (files.Count == 0) throw new LoomDataException($"{path}: no .wav files");
        var clips = new List<AudioClip>(files.Count);
        var titles = new List<string?>(files.Count);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);   // read once for both the samples and the title
            clips.Add(WavFile.Read(bytes, file));
            titles.Add(WavFile.ReadTitle(bytes, file));
        }
        if (titles.Any(t => string.IsNullOrEmpty(t)))
            return new AudioSamples(clips);
        var names = titles.Distinct(StringComparer.Ordinal).ToList()!;
        return new AudioSamples(clips, titles.Select(t => names.IndexOf(t)).ToList()) { ClassNames = names! };
    }

    /// <summary>Compares file names with runs of digits as numbers.</summary>
    private static int NaturalCompare(string a, string b)
    {
        var x = Parts().Split(Path.GetFileName(a));
        var y = Parts().Split(Path.GetFileName(b));
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            int order = long.TryParse(x[i], out var m) && long.TryParse(y[i], out var n) ? m.CompareTo(n)
                : string.CompareOrdinal(x[i], y[i]);
            if (order != 0) return order;
        }
        return x.Length.CompareTo(y.Length);
    }

    [GeneratedRegex(@"(\d+)")]
    private static partial Regex Parts();
}
