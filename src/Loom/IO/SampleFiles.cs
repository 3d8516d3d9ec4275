using System.Text.Json;
using Loom.Audio;
using Loom.Core;
using Loom.Data;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.Tabular;
using TorchSharp;

namespace Loom.IO;

/// <summary>
/// Any <see cref="SampleSet"/> as files, the format chosen by the path's extension: images as a PNG grid, 2-D points as a
/// PNG scatter, tensors as .csv or .safetensors (labels kept), texts as .txt, tables as .csv or .parquet, state sequences
/// as .json, audio as one WAV per clip with its spectrogram PNG (each WAV titled with the class it was drawn for).
/// <see cref="Format"/> gives the text form of those that have one (what <c>loom sample</c> prints without <c>--out</c>).
/// Files are written under a temporary name and renamed.
/// </summary>
public static class SampleFiles
{
    /// <summary>
    /// Writes <paramref name="samples"/> to <paramref name="path"/> and returns the files written (several for audio
    /// clips: NAME-1.wav, NAME-1.png, …). A format the samples cannot take is a usage error on the option <c>Out</c>
    /// that names the extensions they can.
    /// </summary>
    public static IReadOnlyList<string> Write(SampleSet samples, string path)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        switch (samples)
        {
            case TensorSamples { Values: var values } when extension == ".png" && values.dim() == 4:
                SampleGrid.Write(path, values);
                break;
            case TensorSamples { Values: var values } when extension == ".png":
                WritePoints(values, path);
                break;
            case TensorSamples tensorSamples when extension == ".safetensors":
                SampleTensorFile.Save(path, tensorSamples);
                break;
            case TensorSamples { Values: var values } when extension is ".csv" or "":
                NumericCsv.Write(path, Matrix(values));
                break;
            case TextSamples text when extension is ".txt" or "":
                AtomicFile.WriteAllText(path, JoinTexts(text));
                break;
            case TableSamples table when extension is ".csv" or ".parquet" or "":
                table.Table.Write(path);
                break;
            case SequenceSamples sequences when extension is ".json" or "":
                AtomicFile.WriteAllText(path, SequencesJson(sequences));
                break;
            case AudioSamples audio when extension == ".wav":
                return WriteClips(audio, path);
            default:
                throw Unsupported(samples, $"'{path}'");
        }
        return [path];
    }

    /// <summary>
    /// Images [n, C, H, W] as one PNG: the image itself when there is one, a sample grid of them otherwise.
    /// </summary>
    public static void WriteImages(TensorSamples images, string path)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Values.dim() != 4)
            throw LoomUsageException.ForOption("Out", $"images must be [n, C, H, W], got [{string.Join(", ", images.Values.shape)}]");
        if (images.Values.shape[0] == 1)
        {
            using var first = images.Values[0];
            Png.Write(path, first);
        }
        else SampleGrid.Write(path, images.Values);
    }

    /// <summary>
    /// The text form of <paramref name="samples"/>: CSV rows for tensors and tables, texts separated by blank lines,
    /// JSON for sequences. Images drawn as pixels have one too (flattened rows); audio has none (a usage error).
    /// </summary>
    public static string Format(SampleSet samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return samples switch
        {
            TensorSamples { Values: var values } => NumericCsv.Format(Matrix(values)),
            TextSamples text => JoinTexts(text),
            TableSamples table => table.Table.ToCsv(),
            SequenceSamples sequences => SequencesJson(sequences) + "\n",
            _ => throw Unsupported(samples, "text"),
        };
    }

    /// <summary>The file extensions <paramref name="samples"/> can be written to, for messages.</summary>
    public static string SuitableExtensions(SampleSet samples) => samples switch
    {
        TensorSamples => ".csv, .png or .safetensors",
        TextSamples => ".txt",
        TableSamples => ".csv or .parquet",
        AudioSamples => ".wav",
        _ => ".json",
    };

    private static LoomUsageException Unsupported(SampleSet samples, string target) =>
        LoomUsageException.ForOption("Out", $"cannot write {KindOf(samples)} samples to {target}; use {SuitableExtensions(samples)}");

    private static string KindOf(SampleSet samples) => samples.GetType().Name.Replace("Samples", "").ToLowerInvariant();

    private static torch.Tensor Matrix(torch.Tensor values) => values.dim() == 2 ? values : values.flatten(1);

    private static string JoinTexts(TextSamples text) => string.Join("\n\n", text.Texts) + "\n";

    /// <summary>One WAV per clip (NAME.wav for one clip, NAME-1.wav … for several), each with its spectrogram as NAME.png.</summary>
    private static IReadOnlyList<string> WriteClips(AudioSamples audio, string path)
    {
        var written = new List<string>();
        for (int i = 0; i < audio.Clips.Count; i++)
        {
            var file = audio.Clips.Count == 1 ? path : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!,
                $"{Path.GetFileNameWithoutExtension(path)}-{i + 1}.wav");
            WavFile.Write(file, audio.Clips[i], audio.ClassOf(i));
            var png = Path.ChangeExtension(file, ".png");
            SpectrogramPng.Write(png, audio.Clips[i]);
            written.Add(file);
            written.Add(png);
        }
        return written;
    }

    private static void WritePoints(torch.Tensor values, string path)
    {
        if (values.dim() != 2 || values.shape[1] != 2)
            throw LoomUsageException.ForOption("Out",
                $"a .png scatter needs 2-D points; these samples have shape [{string.Join(", ", values.shape)}] (use .csv)");
        Plots.Scatter(path, "samples", [("samples", values)]);
    }

    private static string SequencesJson(SequenceSamples sequences)
    {
        var items = sequences.Observations.Select((obs, i) => new
        {
            observations = ToNested(obs),
            states = sequences.States[i].to(torch.ScalarType.Int64).cpu().data<long>().ToArray(),
        });
        return JsonSerializer.Serialize(items, new JsonSerializerOptions { WriteIndented = false });
    }

    private static object ToNested(torch.Tensor t)
    {
        if (t.dtype is torch.ScalarType.Int64 or torch.ScalarType.Int32)
            return t.to(torch.ScalarType.Int64).cpu().data<long>().ToArray();
        using var m = t.to(torch.ScalarType.Float64).cpu();
        if (m.dim() == 1) return m.data<double>().ToArray();
        var flat = m.data<double>().ToArray();
        int d = (int)m.shape[1];
        return Enumerable.Range(0, (int)m.shape[0]).Select(i => flat.AsSpan(i * d, d).ToArray()).ToArray();
    }
}
