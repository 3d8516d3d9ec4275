using System.Text.Json.Nodes;
using Loom.Audio;
using Loom.Core;
using Loom.Data.Audio;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.WaveNet;

/// <summary>
/// A trained WaveNet: an autoregressive model of 8-bit μ-law audio, p(x | y) = Π p(x_t | x_&lt;t, y), with an exact
/// log-likelihood (<see cref="LevelLogProbs"/>; <see cref="Score"/> reports bits per sample on the spoken-digits test split
/// given each clip's digit) and sample-by-sample generation (<see cref="Sample"/>, by the fast queue generator; the
/// request's <see cref="SampleRequest.Length"/> is in samples). A conditional model takes the digit as its class.
/// </summary>
public sealed class WaveNetModel : IGenerativeModel, ILikelihoodModel, IConditionalModel
{
    public const string KindName = "wavenet";

    public WaveNetModel(WaveNetNetwork network) => Network = network;

    public WaveNetNetwork Network { get; }
    public WaveNetConfig Config => Network.Config;
    public string Kind => KindName;
    public int NumClasses => Config.NumClasses;
    public IReadOnlyList<string> ClassNames => Config.ClassNames;

    private Device NetworkDevice => Network.parameters().First().device;

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState() => ModuleTensors.Capture(Network);

    /// <summary>
    /// log p(x_t | x_&lt;t, y) in nats [n, T] for levels [n, T] (int64) with gradient; labels [n] or null; for a model
    /// with a timeline, the position of each level in its clip [n, T] (null = each row is a whole clip).
    /// </summary>
    public Tensor LevelLogProbs(Tensor levels, Tensor? labels, Tensor? positions = null)
    {
        using var scope = torch.NewDisposeScope();
        var logits = Network.Logits(levels, labels, positions);
        return nn.functional.log_softmax(logits, -1).gather(-1, levels.unsqueeze(-1)).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>−log p(clip | digit) in nats of one clip's μ-law levels, each from the start (no context before it).</summary>
    public double ClipNll(byte[] levels, int? label)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        Network.eval();
        var x = torch.tensor(levels.Select(b => (long)b).ToArray(), [1, levels.Length], ScalarType.Int64).to(NetworkDevice);
        var y = NumClasses > 0 && label is { } c ? torch.tensor(new long[] { c }, ScalarType.Int64).to(NetworkDevice) : null;
        return -LevelLogProbs(x, y).to(ScalarType.Float64).sum().ToDouble();
    }

    /// <summary>
    /// The test split of spoken-digits (the name, a folder holding its index.csv or the index file) in nats per sample,
    /// each clip given its digit; extra: clips and bits per sample.
    /// </summary>
    public ScoreReport Score(string dataPath, CancellationToken cancellation = default)
    {
        var clips = SpokenDigits.Load(SpokenDigits.ResolveIndex(dataPath), SpokenDigits.TestSplit);
        if (clips.Count == 0) throw LoomDataException.ForOption("Data", $"{dataPath}: the index lists no test clips");
        double total = 0;
        long samples = 0;
        foreach (var (row, clip) in clips)
        {
            cancellation.ThrowIfCancellationRequested();
            CheckRate(clip, dataPath);
            total += ClipNll(MuLaw.Encode(clip.Samples), row.Digit);
            samples += clip.Samples.Length;
        }
        return new ScoreReport(total, samples, "sample", new Dictionary<string, double>
        {
            ["clips"] = clips.Count, ["bits_per_sample"] = total / samples / Math.Log(2),
        });
    }

    public ScoreReport ScoreContent(string data, string source = "data", CancellationToken cancellation = default) =>
        throw new LoomDataException($"{source}: a wavenet scores the spoken-digits data set (a folder with index.csv), not text");

    /// <summary>Labels for <paramref name="count"/> samples: all <paramref name="requested"/>, or the classes in turn.</summary>
    public Tensor? SampleLabels(int count, int? requested)
    {
        if (NumClasses == 0)
        {
            if (requested is not null) throw LoomUsageException.ForOption("Class", "this WaveNet is not conditional");
            return null;
        }
        if (requested is { } c && (c < 0 || c >= NumClasses))
            throw LoomUsageException.ForOption("Class", $"must be in 0..{NumClasses - 1} ({string.Join(", ", ClassNames)}), got {c}");
        return requested is { } k ? torch.full(count, k, ScalarType.Int64) : torch.arange(count, dtype: ScalarType.Int64) % NumClasses;
    }

    /// <summary>
    /// <see cref="SampleRequest.Count"/> clips of <see cref="SampleRequest.Length"/> samples at the model's sample rate,
    /// drawn by <see cref="WaveNetGenerator.Fast"/> with the request's seed and temperature.
    /// </summary>
    public SampleSet Sample(SampleRequest request)
    {
        using var scope = torch.NewDisposeScope();
        if (request.Count < 1) throw LoomUsageException.ForOption("Count", $"must be at least 1, got {request.Count}");
        var labels = SampleLabels(request.Count, request.Class);
        var levels = WaveNetGenerator.Fast(Network, request.Length, labels, request.Temperature, request.Seed, request.Count);
        var clips = Enumerable.Range(0, request.Count)
            .Select(i => new AudioClip(MuLaw.Decode(levels[i].to(ScalarType.Byte).data<byte>().ToArray()), Config.SampleRate))
            .ToList();
        var labelList = labels?.data<long>().Select(l => (int)l).ToList();
        return new AudioSamples(clips, labelList) { ClassNames = labels is null ? null : ClassNames };
    }

    private void CheckRate(AudioClip clip, string source)
    {
        if (clip.SampleRate != Config.SampleRate)
            throw new LoomDataException($"{source}: clips at {clip.SampleRate} Hz, the model was trained at {Config.SampleRate} Hz");
    }

    public void Dispose() => Network.Dispose();
}
