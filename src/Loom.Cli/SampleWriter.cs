using System.Globalization;
using System.Text;
using System.Text.Json;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.Models;
using Loom.Models.Tabular;
using TorchSharp;

namespace Loom.Cli;

/// <summary>Writes any <see cref="SampleSet"/> to a file chosen by extension, or prints it.</summary>
public static class SampleWriter
{
    public static void Write(SampleSet samples, string? path, TextWriter console)
    {
        var extension = path is null ? "" : Path.GetExtension(path).ToLowerInvariant();
        switch (samples)
        {
            case TensorSamples { Values: var values } when extension == ".png" && values.dim() == 4:
                IO.Images.SampleGrid.Write(path!, values);
                break;
            case TensorSamples { Values: var values } when extension == ".png":
                WritePoints(values, path!);
                break;
            case TensorSamples tensorSamples when extension == ".safetensors":
                IO.SampleTensorFile.Save(path!, tensorSamples);
                break;
            case TensorSamples { Values: var values } when extension is ".csv" or "":
                if (path is null) console.Write(NumericCsv.Format(values.dim() == 2 ? values : values.flatten(1)));
                else NumericCsv.Write(path, values.dim() == 2 ? values : values.flatten(1));
                break;
            case TextSamples text when extension is ".txt" or "":
                var joined = string.Join("\n\n", text.Texts) + "\n";
                if (path is null) console.Write(joined);
                else AtomicFile.WriteAllText(path, joined);
                break;
            case TableSamples table when extension is ".csv" or ".parquet" or "":
                if (path is null) console.Write(table.Table.ToCsv());
                else table.Table.Write(path);
                break;
            case SequenceSamples sequences when extension is ".json" or "":
                var json = SequencesToJson(sequences);
                if (path is null) console.WriteLine(json);
                else AtomicFile.WriteAllText(path, json);
                break;
            case Audio.AudioSamples audio when extension == ".wav":
                WriteClips(audio, path!, console);
                return;
            default:
                throw new LoomUsageException($"--out: cannot write {samples.GetType().Name.Replace("Samples", "").ToLowerInvariant()} "
                    + $"samples to '{path}'; use {SuitableExtensions(samples)}");
        }
        if (path is not null)
            console.WriteLine($"wrote {path}");
    }

    /// <summary>One WAV per clip (NAME.wav for one clip, NAME-1.wav … for several), each with its spectrogram as NAME.png.</summary>
    private static void WriteClips(Audio.AudioSamples audio, string path, TextWriter console)
    {
        for (int i = 0; i < audio.Clips.Count; i++)
        {
            var file = audio.Clips.Count == 1 ? path : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!,
                $"{Path.GetFileNameWithoutExtension(path)}-{i + 1}.wav");
            Audio.WavFile.Write(file, audio.Clips[i]);
            var png = Path.ChangeExtension(file, ".png");
            Audio.SpectrogramPng.Write(png, audio.Clips[i]);
            console.WriteLine($"wrote {file} and {png}");
        }
    }

    private static void WritePoints(torch.Tensor values, string path)
    {
        if (values.dim() != 2 || values.shape[1] != 2)
            throw new LoomUsageException(
                $"--out: a .png scatter needs 2-D points; these samples have shape [{string.Join(", ", values.shape)}] (use .csv)");
        IO.Images.Plots.Scatter(path, "samples", [("samples", values)]);
    }

    private static string SuitableExtensions(SampleSet samples) => samples switch
    {
        TensorSamples => ".csv, .png or .safetensors",
        TextSamples => ".txt",
        TableSamples => ".csv or .parquet",
        Audio.AudioSamples => ".wav",
        _ => ".json",
    };

    private static string SequencesToJson(SequenceSamples sequences)
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
