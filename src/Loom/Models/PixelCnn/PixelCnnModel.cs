using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.PixelCnn;

/// <summary>
/// A trained Gated PixelCNN: an autoregressive model of grey images in raster order, p(x) = Π p(x_i | x_&lt;i), with an exact
/// log-likelihood (<see cref="LogProb"/>; nats per image, bits per dimension in score reports) and pixel-by-pixel sampling
/// with a temperature (<see cref="Sample"/>). Binary models score binarized images; byte models 8-bit grey levels. A
/// conditional model scores p(x | y) given labels, and the exact marginal p(x) = Σ_y p(x | y) / K without them.
/// </summary>
public sealed class PixelCnnModel : IGenerativeModel, ILikelihoodModel, IExampleScorer, IImageGenerator, IConditionalModel
{
    public const string KindName = "pixelcnn";
    private const int Batch = 250;

    public PixelCnnModel(PixelCnnNetwork network) => Network = network;

    public PixelCnnNetwork Network { get; }
    public PixelCnnConfig Config => Network.Config;
    public string Kind => KindName;
    public int NumClasses => Config.NumClasses;
    public IReadOnlyList<string> ClassNames => Config.ClassNames;
    public ImageShape? ImageShape => Config.Image;

    /// <summary>Seed of the fixed binarization that <see cref="ExampleNll(Tensor)"/> and <see cref="Score"/> apply to grey
    /// images.</summary>
    public const long ScoreBinarizationSeed = 0;

    private Device NetworkDevice => Network.parameters().First().device;

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState() => ModuleTensors.Capture(Network);

    /// <summary>
    /// The pixels the model's likelihood is over, from images in [0, 1] [n, 1, H, W]: binary models binarize grey images once
    /// with <paramref name="seed"/> (0/1 images stay as they are), byte models round to levels 0..255.
    /// </summary>
    public Tensor Pixels(Tensor images, long seed)
    {
        CheckShape(images);
        var x = images.to(ScalarType.Float32);
        return Config.Head == PixelCnnHead.Binary ? ImagePixels.BinarizedOnce(x.clamp(0, 1), seed) : (x * 255).round().clamp(0, 255);
    }

    /// <summary>log p(pixels | labels) per image [n] in nats, with gradient: pixels as <see cref="Pixels"/> gives them.</summary>
    public Tensor LogProb(Tensor pixels, Tensor? labels) => PixelLogProbs(Network.Logits(pixels, labels), pixels).sum([1, 2, 3]);

    /// <summary>log p(x_i | x_&lt;i) of every pixel [n, 1, H, W] from the network's logits.</summary>
    public Tensor PixelLogProbs(Tensor logits, Tensor pixels)
    {
        if (Config.Head == PixelCnnHead.Binary)
            return -nn.functional.binary_cross_entropy_with_logits(logits, pixels, reduction: nn.Reduction.None);
        var target = pixels.to(ScalarType.Int64);
        return nn.functional.log_softmax(logits, 1).gather(1, target);
    }

    /// <summary>−log p(pixels | labels) per image, float64 [n], without gradient; null labels marginalize a conditional model's
    /// class (uniform prior).</summary>
    public Tensor PixelNll(Tensor pixels, Tensor? labels = null, CancellationToken cancellation = default)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        Network.eval();
        var device = NetworkDevice;
        var parts = new List<Tensor>();
        for (long start = 0; start < pixels.shape[0]; start += Batch)
        {
            cancellation.ThrowIfCancellationRequested();
            long take = Math.Min(Batch, pixels.shape[0] - start);
            var x = pixels.narrow(0, start, take).to(ScalarType.Float32).to(device);
            var y = labels?.narrow(0, start, take).to(ScalarType.Int64).to(device);
            parts.Add((y is null && NumClasses > 0 ? -MarginalLogProb(x) : -LogProb(x, y)).to(ScalarType.Float64).cpu());
        }
        return (parts.Count == 0 ? torch.zeros(0, ScalarType.Float64) : torch.cat(parts)).MoveToOuterDisposeScope();
    }

    /// <summary>log Σ_y p(x | y) / K over the classes of a conditional model.</summary>
    private Tensor MarginalLogProb(Tensor x)
    {
        long n = x.shape[0];
        var perClass = Enumerable.Range(0, NumClasses)
            .Select(c => LogProb(x, torch.full(n, (long)c, ScalarType.Int64, device: x.device)))
            .ToArray();
        return torch.stack(perClass, 1).logsumexp(1) - Math.Log(NumClasses);
    }

    /// <summary>−log p(x) in nats of images in [0, 1] (binary models: binarized with <see cref="ScoreBinarizationSeed"/>).</summary>
    public Tensor ExampleNll(Tensor examples)
    {
        using var scope = torch.NewDisposeScope();
        return PixelNll(Pixels(examples, ScoreBinarizationSeed)).MoveToOuterDisposeScope();
    }

    /// <summary>Scores a folder of PNGs or a Fashion-MNIST split (<see cref="ImagePixels.Load8Bit"/>) in nats per dimension.</summary>
    public ScoreReport Score(string dataPath, CancellationToken cancellation = default)
    {
        using var scope = torch.NewDisposeScope();
        var images = ImagePixels.Load8Bit(dataPath, "a pixelcnn") / 255;
        var nll = PixelNll(Pixels(images, ScoreBinarizationSeed), null, cancellation);
        long n = images.shape[0];
        double total = nll.sum().ToDouble();
        return new ScoreReport(total, n * Config.Dimensions, "dimension", new Dictionary<string, double>
        {
            ["images"] = n, ["nats_per_image"] = total / n,
        });
    }

    public ScoreReport ScoreContent(string data, string source = "data", CancellationToken cancellation = default) =>
        throw new LoomDataException($"{source}: a pixelcnn scores image folders or fashion-mnist, not text");

    /// <summary>Class labels for <paramref name="count"/> samples: all <paramref name="requested"/>, or the classes spread
    /// evenly.</summary>
    public Tensor? SampleLabels(int count, int? requested)
    {
        if (NumClasses == 0)
        {
            if (requested is not null) throw LoomUsageException.ForOption("Class", "this PixelCNN is not conditional");
            return null;
        }
        if (requested is { } c && (c < 0 || c >= NumClasses))
            throw LoomUsageException.ForOption("Class",
                $"must be in 0..{NumClasses - 1} ({string.Join(", ", ClassNames)}), got {c}");
        return requested is { } k ? torch.full(count, k, ScalarType.Int64) : torch.arange(count, dtype: ScalarType.Int64) % NumClasses;
    }

    /// <summary>
    /// Draws images pixel by pixel in raster order, each from its conditional with logits divided by the temperature, with
    /// uniform draws from the request's seed: the same request gives the same images. Returns [n, 1, H, W] in [0, 1].
    /// </summary>
    public SampleSet Sample(SampleRequest request)
    {
        if (!(request.Temperature > 0) || !double.IsFinite(request.Temperature))
            throw LoomUsageException.ForOption("Temperature", $"must be positive, got {request.Temperature}");
        if (request.Count < 1) throw LoomUsageException.ForOption("Count", $"must be at least 1, got {request.Count}");
        using var scope = torch.NewDisposeScope();
        var labels = SampleLabels(request.Count, request.Class);
        var pixels = PixelCnnSampler.Draw(this, request.Count, labels, request.Temperature, request.Seed);
        var images = (Config.Head == PixelCnnHead.Binary ? pixels : pixels / 255).MoveToOuterDisposeScope();
        return new TensorSamples(images, labels?.MoveToOuterDisposeScope()) { ClassNames = labels is null ? null : ClassNames };
    }

    private void CheckShape(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 1 || images.shape[2] != Config.Height || images.shape[3] != Config.Width)
            throw new LoomDataException(
                $"a pixelcnn takes grey images [n, 1, {Config.Height}, {Config.Width}], got [{string.Join(", ", images.shape)}]");
    }

    public void Dispose() => Network.Dispose();
}
