using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Suite;

/// <summary>
/// What <c>loom eval</c> evaluates: a checkpoint folder (its model is sampled, and scored where it has a likelihood)
/// or a file of samples from anywhere — <c>.safetensors</c> (a tensor named <c>samples</c>, or the only tensor),
/// <c>.csv</c> (one sample per row), text (one sample per line), or audio: a <c>.wav</c> file or a folder of them
/// (<see cref="Loom.Audio.AudioSampleFiles"/>, labelled by their titles). A <c>.safetensors</c> file may also hold
/// <c>labels</c> (int64 [n]): the class each sample was asked to be, for class-conditional accuracy.
/// </summary>
public sealed class EvaluationSource : IDisposable
{
    private EvaluationSource(string path, string name, string kind, SampleSet samples, IGenerativeModel? model)
    {
        Path = path;
        Name = name;
        Kind = kind;
        Samples = samples;
        Model = model;
    }

    public string Path { get; }
    public string Name { get; }
    public string Kind { get; }
    public SampleSet Samples { get; }
    /// <summary>The loaded model for a checkpoint; null for a sample file.</summary>
    public IGenerativeModel? Model { get; }
    /// <summary>Requested class per sample (a conditional model's samples, or labels in a sample file), or null.</summary>
    public Tensor? Labels => (Samples as TensorSamples)?.Labels;
    /// <summary>What the <see cref="Labels"/> values name (a model's class names), or null when they are plain class ids.</summary>
    public IReadOnlyList<string>? LabelNames => (Samples as TensorSamples)?.ClassNames;
    public bool IsCheckpoint => Model is not null;

    public static EvaluationSource Open(string path, EvaluationOptions options, EvaluationDataKind data)
    {
        var name = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path)));
        bool checkpoint = Directory.Exists(path) && File.Exists(System.IO.Path.Combine(path, Checkpoint.ConfigFile));
        if (!checkpoint && Loom.Audio.AudioSampleFiles.Holds(path))
            return new EvaluationSource(path, name, "samples", Loom.Audio.AudioSampleFiles.Read(path, options.AudioClips), null);
        if (Directory.Exists(path))
        {
            var model = Checkpoint.Load(path);
            try
            {
                var request = new SampleRequest
                {
                    Count = data switch
                    {
                        EvaluationDataKind.Text => Math.Min(options.Samples, options.TextSamples),
                        EvaluationDataKind.Audio => options.AudioClips,
                        _ => options.Samples,
                    },
                    Seed = options.Seed,
                    Length = data == EvaluationDataKind.Audio ? options.AudioLength : options.TextLength,
                };
                return new EvaluationSource(path, name, model.Kind, model.Sample(request), model);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: no such checkpoint folder or sample file");
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".safetensors")
        {
            var read = SampleTensorFile.Load(path);
            var limited = Limit(read, options.Samples);
            if (!ReferenceEquals(limited, read)) read.Dispose();
            return new EvaluationSource(path, name, "samples", limited, null);
        }
        SampleSet samples = extension switch
        {
            ".csv" => new TensorSamples(NumericCsv.ReadMatrix(path)),
            _ => new TextSamples(TextFile.Read(path).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList()),
        };
        return new EvaluationSource(path, name, "samples", Limit(samples, options.Samples), null);
    }

    private static SampleSet Limit(SampleSet samples, int count) => samples switch
    {
        TensorSamples t when t.Values.shape[0] > count =>
            new TensorSamples(t.Values[..count].clone(), t.Labels?[..count].clone()) { ClassNames = t.ClassNames },
        TextSamples t when t.Texts.Count > count => new TextSamples(t.Texts.Take(count).ToList()),
        _ => samples,
    };

    /// <summary>The training data recorded in a checkpoint's card: a toy set is regenerated, a file read; null when unknown or
    /// gone.</summary>
    public Tensor? TrainingVectors()
    {
        if (!IsCheckpoint || !File.Exists(System.IO.Path.Combine(Path, Checkpoint.CardFile)))
            return null;
        var source = Checkpoint.ReadCard(Path).Data.FirstOrDefault()?.Source;
        if (source is null)
            return null;
        var toy = System.Text.RegularExpressions.Regex.Match(source, @"^toy:(\S+) points=(\d+) seed=(-?\d+)");
        if (toy.Success)
            return ToyData.Generate(toy.Groups[1].Value, long.Parse(toy.Groups[2].Value), long.Parse(toy.Groups[3].Value));
        return File.Exists(source) && source.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? NumericCsv.ReadMatrix(source) : null;
    }

    /// <summary>SHA-256 of the training data recorded in the card (null when unknown).</summary>
    public string? TrainingSha256() =>
        IsCheckpoint && File.Exists(System.IO.Path.Combine(Path, Checkpoint.CardFile))
            ? Checkpoint.ReadCard(Path).Data.FirstOrDefault()?.Sha256 : null;

    public void Dispose()
    {
        if (Samples is TensorSamples t) t.Dispose();
        if (Samples is SequenceSamples s)
            foreach (var x in s.Observations.Concat(s.States)) x.Dispose();
        Model?.Dispose();
    }
}
