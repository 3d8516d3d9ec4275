using Loom.Data;
using Loom.IO.Images;
using TorchSharp;

namespace Loom.Models.Latent.Quantized;

/// <summary>The pictures a VQ-VAE training run leaves beside its checkpoint.</summary>
public static class VqVaePreviews
{
    /// <summary>reconstructions.png: <paramref name="count"/> training images above their reconstructions.</summary>
    public static string WriteReconstructions(VqVaeModel model, TrainingData data, string outDir, int count = 8)
    {
        var path = Path.Combine(outDir, "reconstructions.png");
        using var scope = torch.NewDisposeScope();
        var originals = data.Examples.narrow(0, 0, Math.Min(count, data.Count));
        SampleGrid.Write(path, torch.cat([originals, model.Reconstruct(originals)], 0), columns: (int)originals.shape[0]);
        return path;
    }

    /// <summary>samples.png: two-stage samples, one row per class for a conditional prior.</summary>
    public static string WriteSamples(VqVaeModel model, string outDir, long seed, int count = 64)
    {
        var path = Path.Combine(outDir, "samples.png");
        int classes = model.Config.NumClasses, perClass = 8;
        IReadOnlyList<int>? labels = classes > 0 ? Enumerable.Range(0, classes * perClass).Select(i => i / perClass).ToArray() : null;
        using var scope = torch.NewDisposeScope();
        var codes = model.SampleCodes(labels?.Count ?? count, seed, labels: labels);
        SampleGrid.Write(path, model.Decode(codes), columns: 8);
        return path;
    }
}
