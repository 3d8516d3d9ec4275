using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Reference;

/// <summary>
/// A trained <see cref="FashionMnistClassifierNet"/> in evaluation mode: the feature extractor of FID-FMNIST and
/// KID-FMNIST and the classifier of the classifier score. <see cref="LoadBundled"/> loads the weights committed with
/// Loom and checks their SHA-256, so a number computed with it names exactly which network produced it.
/// </summary>
public sealed class ReferenceClassifier : IFeatureExtractor, ISampleClassifier, IDisposable
{
    /// <summary>The folder (relative to the Loom assembly) that holds the committed weights.</summary>
    public const string BundledFolder = "reference/fmnist-classifier";

    /// <summary>SHA-256 of the committed <c>model.safetensors</c>; changes only when the weights are retrained on purpose.</summary>
    public const string BundledSha256 = "9b0e4d4c42595f749b0d9dff7ac3bfd8b6ac4fe490d5197bc84b7e94be842c2a";

    /// <summary>Version tag in <see cref="Identity"/>.</summary>
    public const string Name = "loom-fmnist-cnn-v1";

    private const int BatchSize = 500;
    private readonly FashionMnistClassifierNet net;

    internal ReferenceClassifier(FashionMnistClassifierNet net, string? sha256 = null)
    {
        this.net = net;
        net.eval();
        Sha256 = sha256;
    }

    /// <summary>SHA-256 of the weights file this was loaded from (null for a freshly trained network).</summary>
    public string? Sha256 { get; private set; }

    public string Identity => Sha256 is null ? $"{Name}@unsaved" : $"{Name}@sha256:{Sha256[..12]}";
    public int FeatureDim => FashionMnistClassifierNet.FeatureDim;
    public int ClassCount => 10;

    /// <summary>Loads the weights committed with Loom (copied next to the Loom assembly at build time).</summary>
    public static ReferenceClassifier LoadBundled()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, BundledFolder);
        var path = Path.Combine(folder, Checkpoint.ModelFile);
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: the Fashion-MNIST reference network is missing from this build");
        var sha = FileHash.Sha256(path);
        if (sha != BundledSha256)
            throw new LoomDataException($"{path}: SHA-256 {sha[..12]}… is not the committed reference network "
                + $"({BundledSha256[..Math.Min(12, BundledSha256.Length)]}…); rebuild Loom");
        return Load(folder);
    }

    /// <summary>Loads a classifier saved with <see cref="Save"/>.</summary>
    public static ReferenceClassifier Load(string folder)
    {
        var path = Path.Combine(folder, Checkpoint.ModelFile);
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: no reference classifier weights here");
        var net = new FashionMnistClassifierNet();
        using var content = SafeTensorsFile.Load(path);
        var state = net.state_dict();
        var missing = state.Keys.Where(k => !content.Tensors.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new LoomDataException($"{path}: not a {Name} network (missing {string.Join(", ", missing.Take(3))})");
        using (torch.no_grad())
            foreach (var (name, tensor) in state)
            {
                var saved = content.Tensors[name];
                if (!saved.shape.SequenceEqual(tensor.shape))
                    throw new LoomDataException(
                        $"{path}: tensor {name} has shape [{string.Join(",", saved.shape)}], expected [{string.Join(",", tensor.shape)}]");
                tensor.copy_(saved);
            }
        return new ReferenceClassifier(net, FileHash.Sha256(path));
    }

    /// <summary>Writes <c>model.safetensors</c> and <c>card.json</c> (with the test accuracy and command line) into
    /// <paramref name="folder"/>.</summary>
    public void Save(string folder, ModelCard card)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Checkpoint.ModelFile);
        var state = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu());
        SafeTensorsFile.Save(path, state, new Dictionary<string, string> { ["format"] = "loom", ["kind"] = Name });
        AtomicFile.WriteAllText(Path.Combine(folder, Checkpoint.CardFile), (card with { Kind = Name }).ToJson());
        Sha256 = FileHash.Sha256(path);
    }

    public Tensor Extract(Tensor samples, IProgress<long>? progress = null) => Batched(samples, net.Features, progress);

    public Tensor Logits(Tensor samples, IProgress<long>? progress = null) => Batched(samples, net.forward, progress);

    /// <summary>Class logits [n,10] (float64) from features returned by <see cref="Extract"/>, without rerunning the
    /// convolutions.</summary>
    public Tensor LogitsFromFeatures(Tensor features)
    {
        using var noGrad = torch.no_grad();
        using var f32 = features.to(ScalarType.Float32, CPU);
        using var logits = net.Head(f32);
        return logits.to(ScalarType.Float64);
    }

    /// <summary>Fraction of <paramref name="images"/> whose predicted class equals <paramref name="labels"/>.</summary>
    public double Accuracy(Tensor images, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        return Logits(images).argmax(1).eq(labels.cpu()).to(ScalarType.Float64).mean().ToDouble();
    }

    private Tensor Batched(Tensor samples, Func<Tensor, Tensor> f, IProgress<long>? progress)
    {
        ImageChecks.RequireFashionMnistShape(samples);
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        long n = samples.shape[0];
        for (long start = 0; start < n; start += BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            var batch = samples.narrow(0, start, Math.Min(BatchSize, n - start)).to(ScalarType.Float32, CPU).reshape(-1, 1, 28, 28);
            parts.Add(f(batch).to(ScalarType.Float64).MoveToOuterDisposeScope());
            progress?.Report(Math.Min(n, start + BatchSize));
        }
        var all = torch.cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    public void Dispose() => net.Dispose();
}
