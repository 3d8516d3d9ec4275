using System.Text.Json.Nodes;
using Loom.Audio;
using Loom.Models;
using Loom.Models.Tabular;
using TorchSharp;

namespace Loom.IO;

/// <summary>
/// A <see cref="SampleSet"/> as JSON, by what the family produces: <c>points</c> (rows of numbers, with <c>labels</c> and
/// <c>class_names</c> for a class-conditional model), <c>text</c> (<c>texts</c>), <c>sequences</c> (each with its
/// <c>observations</c>, symbol ids or rows, and hidden <c>states</c>), <c>table</c> (<c>columns</c> and <c>rows</c> of cells),
/// <c>audio</c> (<c>clips</c>: base64 16-bit PCM WAVs with their sample rate, length and class) — the body of the
/// server's <c>/v1/loom/sample</c>. <see cref="SampleAsync"/> samples and converts on the model's thread, so no tensor
/// outlives the call.
/// </summary>
public static class SampleJson
{
    /// <summary>
    /// Samples <paramref name="model"/> on a thread of its own (as <see cref="ModelServices.SampleAsync"/>) and returns the
    /// samples' JSON fields; every tensor made on the way, the samples included, is freed before the call returns.
    /// </summary>
    public static Task<JsonObject> SampleAsync(IGenerativeModel model, SampleRequest request,
        IProgress<SampleProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        return ModelThread.RunAsync(() =>
        {
            using var scope = torch.NewDisposeScope();
            return ToJson(model.SampleNow(request, progress, cancellation));
        }, $"loom sample {model.Kind}", cancellation);
    }

    /// <summary>The samples' JSON fields (<c>type</c> and the data).</summary>
    public static JsonObject ToJson(SampleSet samples) => samples switch
    {
        TensorSamples tensor => Points(tensor),
        TextSamples text => new JsonObject { ["type"] = "text", ["texts"] = new JsonArray(text.Texts.Select(t => (JsonNode)t).ToArray()) },
        SequenceSamples sequences => new JsonObject
        {
            ["type"] = "sequences",
            ["sequences"] = new JsonArray(sequences.Observations.Select((o, i) => (JsonNode)new JsonObject
            {
                ["observations"] = Nested(o), ["states"] = Nested(sequences.States[i]),
            }).ToArray()),
        },
        TableSamples table => Table(table.Table),
        AudioSamples audio => Audio(audio),
        _ => throw new InvalidOperationException($"no JSON form for {samples.GetType().Name}"),
    };

    /// <summary>Audio clips as base64 WAV files (titled with their class, as <c>loom sample</c> writes them).</summary>
    private static JsonObject Audio(AudioSamples audio) => new()
    {
        ["type"] = "audio",
        ["clips"] = new JsonArray(audio.Clips.Select((clip, i) =>
        {
            var item = new JsonObject
            {
                ["b64_wav"] = Convert.ToBase64String(WavFile.Encode(clip, audio.ClassOf(i))),
                ["sample_rate"] = clip.SampleRate, ["samples"] = clip.Samples.Length,
            };
            if (audio.Labels is { } labels) item["label"] = labels[i];
            if (audio.ClassOf(i) is { } name && audio.ClassNames is not null) item["class"] = name;
            return (JsonNode)item;
        }).ToArray()),
    };

    /// <summary>A table: its column names and rows of cells as the CSV writes them (null = missing).</summary>
    private static JsonObject Table(Data.Tables.Table table) => new()
    {
        ["type"] = "table",
        ["columns"] = new JsonArray(table.Columns.Select(c => (JsonNode)c.Name).ToArray()),
        ["rows"] = new JsonArray(Enumerable.Range(0, table.RowCount).Select(i => (JsonNode)new JsonArray(table.Columns
            .Select(c => c.IsMissing(i) ? null : (JsonNode)c.Format(i)).ToArray())).ToArray()),
    };

    private static JsonObject Points(TensorSamples samples)
    {
        using var values = samples.Values.dim() == 2 ? samples.Values.alias() : samples.Values.flatten(1);
        var json = new JsonObject { ["type"] = "points", ["points"] = Nested(values) };
        if (samples.Labels is { } labels)
        {
            json["labels"] = Nested(labels);
            if (samples.ClassNames is { } names) json["class_names"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray());
        }
        return json;
    }

    /// <summary>A 1-D tensor as an array, a 2-D one as an array of rows (integers stay integers).</summary>
    private static JsonArray Nested(torch.Tensor tensor)
    {
        bool integers = !tensor.is_floating_point();
        using var cpu = tensor.to(integers ? torch.ScalarType.Int64 : torch.ScalarType.Float64).cpu().contiguous();
        long[]? longs = integers ? cpu.data<long>().ToArray() : null;
        double[]? doubles = integers ? null : cpu.data<double>().ToArray();
        JsonNode Value(long flat) => longs is not null ? longs[flat] : doubles![flat];
        if (cpu.dim() == 1)
            return new JsonArray(Enumerable.Range(0, (int)cpu.shape[0]).Select(i => Value(i)).ToArray());
        long width = cpu.shape[1];
        return new JsonArray(Enumerable.Range(0, (int)cpu.shape[0]).Select(r => (JsonNode)new JsonArray(
            Enumerable.Range(0, (int)width).Select(c => Value(r * width + c)).ToArray())).ToArray());
    }
}
