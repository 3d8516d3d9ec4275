using Loom.IO;
using Loom.Models;
using Loom.Safety.Images;

namespace Loom.Cli;

/// <summary>Writes samples to <c>--out</c> or prints their text form, and says what was written.</summary>
public static class SampleWriter
{
    /// <summary>Generated texts (neural text models): written with <see cref="SampleFiles.Write"/> or printed.</summary>
    public static void Write(TextSamples samples, string? path, TextWriter console)
    {
        if (path is null)
            console.Write(SampleFiles.Format(samples));
        else
        {
            SampleFiles.Write(samples, path);
            console.WriteLine($"wrote {path}");
        }
    }

    /// <summary>What <see cref="SampleToFile.Run"/> wrote, or the samples' text form it returned.</summary>
    public static void Write(SampleToFileResult result, string? path, TextWriter console)
    {
        if (path is null)
        {
            console.Write(result.Text);
            return;
        }
        var written = result.Written;
        if (result.Audio)
            for (int i = 0; i + 1 < written.Count; i += 2)
                console.WriteLine($"wrote {written[i]} and {written[i + 1]}");
        else
            console.WriteLine($"wrote {path}");
    }
}
