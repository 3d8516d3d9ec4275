using Loom.IO;
using Loom.Models;

namespace Loom.Cli;

/// <summary>Writes any <see cref="SampleSet"/> to <c>--out</c> (<see cref="SampleFiles.Write"/>) or prints its text form.</summary>
public static class SampleWriter
{
    public static void Write(SampleSet samples, string? path, TextWriter console)
    {
        if (path is null)
        {
            console.Write(SampleFiles.Format(samples));
            return;
        }
        var written = SampleFiles.Write(samples, path);
        if (samples is Audio.AudioSamples)
            for (int i = 0; i + 1 < written.Count; i += 2)
                console.WriteLine($"wrote {written[i]} and {written[i + 1]}");
        else
            console.WriteLine($"wrote {path}");
    }
}
