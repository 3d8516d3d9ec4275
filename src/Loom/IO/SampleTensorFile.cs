using System.Text.Json;
using Loom.Core;
using Loom.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.IO;

/// <summary>
/// Image or vector samples in a .safetensors file: tensor <c>samples</c>, optional int64 <c>labels</c> [n] (the class each
/// sample was asked for) and, in the metadata under <c>class_names</c>, a JSON array naming the label values — so a
/// model trained on a class subset (labels 0…k−1) can still be scored by a classifier that knows all the classes.
/// </summary>
public static class SampleTensorFile
{
    public const string SamplesKey = "samples";
    public const string LabelsKey = "labels";
    public const string ClassNamesKey = "class_names";

    public static void Save(string path, TensorSamples samples)
    {
        var tensors = new Dictionary<string, Tensor> { [SamplesKey] = samples.Values.cpu().contiguous() };
        Dictionary<string, string>? metadata = null;
        if (samples.Labels is { } labels)
        {
            tensors[LabelsKey] = labels.cpu().to(ScalarType.Int64).contiguous();
            if (samples.ClassNames is { Count: > 0 } names)
                metadata = new() { [ClassNamesKey] = JsonSerializer.Serialize(names) };
        }
        SafeTensorsFile.Save(path, tensors, metadata);
    }

    /// <summary>
    /// Reads <c>samples</c> (or the file's only tensor) as float32, with the labels and their class names when present.
    /// The caller owns the returned tensors.
    /// </summary>
    public static TensorSamples Load(string path)
    {
        using var content = SafeTensorsFile.Load(path);
        Tensor? chosen =
            content.Tensors.TryGetValue(SamplesKey, out var s) ? s : content.Tensors.Count == 1 ? content.Tensors.Values.First() : null;
        if (chosen is null)
            throw new LoomDataException($"{path}: holds {content.Tensors.Count} tensors "
                + $"({string.Join(", ", content.Tensors.Keys.Take(5))}); name the samples tensor '{SamplesKey}'");
        Tensor? labels = null;
        if (content.Tensors.TryGetValue(LabelsKey, out var l))
        {
            if (l.dim() != 1 || l.shape[0] != chosen.shape[0])
                throw new LoomDataException($"{path}: '{LabelsKey}' must be [n] with one class per sample; it is "
                    + $"[{string.Join(", ", l.shape)}] for {chosen.shape[0]} samples");
            labels = l.to(ScalarType.Int64).detach().clone();
        }
        IReadOnlyList<string>? names = null;
        if (labels is not null && content.Metadata.TryGetValue(ClassNamesKey, out var json))
        {
            try { names = JsonSerializer.Deserialize<string[]>(json); }
            catch (JsonException) { names = null; }
            if (names is null)
                throw new LoomDataException($"{path}: metadata '{ClassNamesKey}' must be a JSON array of strings");
        }
        return new TensorSamples(chosen.to(ScalarType.Float32).detach().clone(), labels) { ClassNames = names };
    }
}
