using System.Text.Json.Nodes;
using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>
/// A trained VAE or conditional VAE. Samples are decoder means of z ~ N(0, T² I), T the request's temperature (pixel probabilities for Bernoulli
/// images); <see cref="ExampleNll"/> is the importance-sampled −log p(x) with <see cref="ImportanceSamples"/> samples.
/// </summary>
public sealed class VaeModel : IGenerativeModel, ILatentVariableModel, IExampleScorer
{
    public const string KindName = "vae";

    public VaeModel(VariationalAutoencoder network) => Network = network;

    public VariationalAutoencoder Network { get; }
    public VaeConfig Config => Network.Config;
    public string Kind => KindName;
    public int LatentDim => Config.LatentDim;
    public int NumClasses => Config.NumClasses;
    /// <summary>Importance samples per example for <see cref="ExampleNll"/>.</summary>
    public int ImportanceSamples { get; set; } = 1000;

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState() =>
        Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    private Device NetworkDevice => Network.parameters().First().device;

    public Tensor Decode(Tensor latents, Tensor? labels = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Network.eval();
        var device = NetworkDevice;
        return Network.DecodeMean(latents.to(ScalarType.Float32).to(device), labels?.to(device)).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Posterior means μ(x) of data-space examples (images in [0, 1]): [n, latent] on the CPU.</summary>
    public Tensor EncodeMean(Tensor examples, Tensor? labels = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Network.eval();
        var device = NetworkDevice;
        return Network.Encode(examples.to(ScalarType.Float32).to(device), labels?.to(device)).Mean.cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Prior latents from <paramref name="seed"/>: [count, latent], N(0, T² I) (see <see cref="Models.PriorLatents"/>).</summary>
    public Tensor PriorLatents(int count, long seed, double temperature = 1.0)
    {
        using var generator = new torch.Generator((ulong)seed);
        return Models.PriorLatents.Draw(generator, count, LatentDim, temperature);
    }

    /// <summary>Class labels for <paramref name="count"/> samples: all <paramref name="requested"/>, or classes spread evenly.</summary>
    public Tensor? SampleLabels(int count, int? requested)
    {
        if (NumClasses == 0)
        {
            if (requested is not null) throw new LoomUsageException("--class: this VAE is not conditional");
            return null;
        }
        if (requested is { } c && (c < 0 || c >= NumClasses))
            throw new LoomUsageException($"--class: must be in 0..{NumClasses - 1} ({string.Join(", ", Config.ClassNames)}), got {c}");
        return requested is { } k ? torch.full(count, k, ScalarType.Int64) : torch.arange(count, dtype: ScalarType.Int64) % NumClasses;
    }

    public SampleSet Sample(SampleRequest request)
    {
        using var scope = torch.NewDisposeScope();
        var labels = SampleLabels(request.Count, request.Class);
        var images = Decode(PriorLatents(request.Count, request.Seed, request.Temperature), labels).MoveToOuterDisposeScope();
        return new TensorSamples(images, labels?.MoveToOuterDisposeScope()) { ClassNames = labels is null ? null : Config.ClassNames };
    }

    /// <summary>Importance-sampled −log p(x) (nats) of data-space examples; labels must be given for a CVAE via <see cref="ExampleNll(Tensor, Tensor?, int, long)"/>.</summary>
    public Tensor ExampleNll(Tensor examples) => ExampleNll(examples, null, ImportanceSamples, 0);

    public Tensor ExampleNll(Tensor examples, Tensor? labels, int k, long seed, int batch = 100)
    {
        using var scope = torch.NewDisposeScope();
        Network.eval();
        torch.random.manual_seed(seed);
        var device = NetworkDevice;
        var parts = new List<Tensor>();
        for (long start = 0; start < examples.shape[0]; start += batch)
        {
            long end = Math.Min(start + batch, examples.shape[0]);
            var x = examples.narrow(0, start, end - start).to(ScalarType.Float32).to(device);
            var y = labels?.narrow(0, start, end - start).to(device);
            parts.Add(Network.ImportanceNll(x, y, k, chunk: Math.Max(1, 20000 / (int)(end - start))).cpu());
        }
        return torch.cat(parts).MoveToOuterDisposeScope();
    }

    public void Dispose() => Network.Dispose();
}

/// <summary>Registry entry: rebuilds a <see cref="VaeModel"/> from config.json and model.safetensors.</summary>
public sealed class VaeFamily : IModelFamily
{
    public string Kind => VaeModel.KindName;
    public string Summary => "Variational autoencoder (MLP or conv; Bernoulli or Gaussian; β-VAE, IWAE, class-conditional CVAE)";

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var network = new VariationalAutoencoder(VaeConfig.FromJson(config));
        try
        {
            ModuleParameters.CopyFrom(network, state, "model.safetensors");
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.to(device);
        network.eval();
        return new VaeModel(network);
    }
}
