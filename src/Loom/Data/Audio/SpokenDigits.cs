using System.Diagnostics;
using System.Globalization;
using System.Text;
using Loom.Audio;
using Loom.Core;
using Loom.IO;

namespace Loom.Data.Audio;

/// <summary>
/// The <c>spoken-digits</c> data set: the words "zero" … "nine" synthesized with Debian's espeak-ng for every speaker of a
/// <see cref="SpokenDigitsOptions"/> grid, resampled to <see cref="SampleRate"/> Hz (windowed sinc), trimmed of silence
/// (<see cref="SilenceTrim"/>), peak-normalized to 0.9 and stored as 16-bit PCM WAVs under <c>wav/</c>, with
/// <c>index.csv</c> (file, digit, voice, pitch, speed, split). The same grid gives the same bytes. The split is by speaker:
/// every fourth speaker's ten clips are test clips.
/// </summary>
public static class SpokenDigits
{
    public const string Name = "spoken-digits";
    public const string IndexFile = "index.csv";
    public const string Package = "espeak-ng";
    public const string Program = "espeak-ng";
    public const string TrainSplit = "train";
    public const string TestSplit = "test";
    /// <summary>The stored sample rate (telephone band, as WaveNet's μ-law suits).</summary>
    public const int SampleRate = 8000;

    /// <summary>The digit words, index = digit.</summary>
    public static IReadOnlyList<string> Words { get; } = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private static readonly string[] Header = ["file", "digit", "voice", "pitch", "speed", "split"];

    /// <summary>The espeak-ng program on PATH, or null.</summary>
    public static string? FindProgram()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, Program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Synthesizes the data set into <paramref name="folder"/> (WAVs atomically, the index last); returns the index path.
    /// Without espeak-ng this is a <see cref="LoomDataException"/> naming the package.
    /// </summary>
    public static string WriteTo(string folder, SpokenDigitsOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= SpokenDigitsOptions.Default;
        options.Validate();
        var program = FindProgram() ?? throw new LoomDataException(
            $"{Name}: is synthesized with espeak-ng, which is not installed; install it with 'sudo apt-get install {Package}'");
        var wavFolder = Path.Combine(folder, "wav");
        Directory.CreateDirectory(wavFolder);
        var trim = new SilenceTrim();
        var rows = new List<SpokenDigitClip>();
        foreach (var speaker in options.Speakers())
            for (int digit = 0; digit < Words.Count; digit++)
            {
                cancellation.ThrowIfCancellationRequested();
                var clip = Synthesize(program, Words[digit], speaker);
                clip = Normalize(trim.Apply(Resampler.Resample(clip, options.SampleRate)));
                var file = $"wav/{digit}_{speaker.Stem}.wav";
                WavFile.Write(Path.Combine(folder, file), clip);
                rows.Add(new SpokenDigitClip(file, digit, speaker.Voice, speaker.Pitch, speaker.Speed, speaker.Split));
            }
        var index = Path.Combine(folder, IndexFile);
        AtomicFile.WriteAllText(index, FormatIndex(rows));
        return index;
    }

    /// <summary>The index file's rows; a missing or malformed index is a <see cref="LoomDataException"/>.</summary>
    public static IReadOnlyList<SpokenDigitClip> ReadIndex(string indexPath)
    {
        if (!File.Exists(indexPath)) throw new LoomDataException($"{indexPath}: no such file (run 'loom data get {Name}')");
        var lines = File.ReadAllLines(indexPath);
        if (lines.Length == 0 || lines[0] != string.Join(',', Header))
            throw new LoomDataException($"{indexPath}: not a spoken-digits index (expected the header {string.Join(',', Header)})");
        var rows = new List<SpokenDigitClip>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split(',');
            if (f.Length != Header.Length || !int.TryParse(f[1], CultureInfo.InvariantCulture, out int digit) || digit is < 0 or > 9
                || !int.TryParse(f[3], CultureInfo.InvariantCulture, out int pitch)
                || !int.TryParse(f[4], CultureInfo.InvariantCulture, out int speed)
                || f[5] is not (TrainSplit or TestSplit))
                throw new LoomDataException($"{indexPath}:{i + 1}: expected file,digit(0-9),voice,pitch,speed,train|test");
            rows.Add(new SpokenDigitClip(f[0], digit, f[2], pitch, speed, f[5]));
        }
        return rows;
    }

    /// <summary>The clips of one split (<c>train</c>, <c>test</c>) with their WAVs read, in index order.</summary>
    public static IReadOnlyList<(SpokenDigitClip Row, AudioClip Clip)> Load(string indexPath, string split)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        return ReadIndex(indexPath).Where(r => r.Split == split).Select(r => (r, WavFile.Read(Path.Combine(folder, r.File)))).ToList();
    }

    /// <summary>The index file of a <c>--data</c> value: the data set name, a folder holding <c>index.csv</c>, or the index.</summary>
    public static string ResolveIndex(string spec)
    {
        if (File.Exists(spec)) return Path.GetFullPath(spec);
        if (Directory.Exists(spec) && File.Exists(Path.Combine(spec, IndexFile))) return Path.GetFullPath(Path.Combine(spec, IndexFile));
        if (!string.Equals(spec.Trim(), Name, StringComparison.OrdinalIgnoreCase))
            throw LoomDataException.ForOption("Data", $"{spec}: expected {Name}, a folder holding its {IndexFile}, or the index file");
        return DataCatalog.Resolve(Name).Files[0];
    }

    private static string FormatIndex(IReadOnlyList<SpokenDigitClip> rows)
    {
        var text = new StringBuilder(string.Join(',', Header)).Append('\n');
        foreach (var r in rows)
            text.Append(CultureInfo.InvariantCulture, $"{r.File},{r.Digit},{r.Voice},{r.Pitch},{r.Speed},{r.Split}\n");
        return text.ToString();
    }

    private static AudioClip Normalize(AudioClip clip)
    {
        float peak = clip.Samples.Length == 0 ? 0 : clip.Samples.Max(Math.Abs);
        return peak == 0 ? clip : new AudioClip(clip.Samples.Select(s => s * 0.9f / peak).ToArray(), clip.SampleRate);
    }

    private static AudioClip Synthesize(string program, string word, SpokenDigitSpeaker speaker)
    {
        var temporary = Path.Combine(Path.GetTempPath(), $"loom-espeak-{Environment.ProcessId}-{Guid.NewGuid():N}.wav");
        try
        {
            var start = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var arg in new[] { "-v", speaker.Voice, "-p", speaker.Pitch.ToString(CultureInfo.InvariantCulture),
                         "-s", speaker.Speed.ToString(CultureInfo.InvariantCulture), "-w", temporary, word })
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start) ?? throw new LoomDataException($"{program}: could not be started");
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(temporary))
                throw new LoomDataException($"{program} -v {speaker.Voice}: failed (exit {process.ExitCode}): "
                    + errors.Result.Split('\n')[0].Trim());
            return WavFile.Read(temporary);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
