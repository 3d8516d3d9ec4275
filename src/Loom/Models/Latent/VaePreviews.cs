using Loom.Data;
using Loom.IO.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>The pictures a VAE training run leaves beside its checkpoint.</summary>
public static class VaePreviews
{
    /// <summary>
    /// samples.png (decoder means of prior samples; one row per class for a CVAE, or a scatter against the data for 2-D)
    /// and, for images, reconstructions.png (held-out images, or training images without a held-out set, above their
    /// reconstructions). Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(VaeModel model, TrainingData data, TrainingData? heldOut, string outDir, long seed)
    {
        using var scope = torch.NewDisposeScope();
        var written = new List<string>();
        var samplesPath = Path.Combine(outDir, "samples.png");
        int classes = model.NumClasses, perClass = 8;
        int count = classes > 0 ? classes * perClass : 64;
        var labels = classes > 0 ? torch.arange(count, dtype: ScalarType.Int64) / perClass : null;
        var samples = model.Decode(model.SampleLatents(count, labels, seed), labels);
        if (model.Config.Images)
        {
            SampleGrid.Write(samplesPath, samples, columns: classes > 0 ? perClass : null);
            written.Add(samplesPath);
            var source = heldOut ?? data;
            var originals = source.Examples.narrow(0, 0, Math.Min(16, source.Count));
            var originalLabels = classes > 0 ? source.Labels?.narrow(0, 0, originals.shape[0]) : null;
            var reconstructed = model.Decode(model.EncodeMean(originals, originalLabels), originalLabels);
            var path = Path.Combine(outDir, "reconstructions.png");
            SampleGrid.Write(path, torch.cat([originals, reconstructed]), columns: (int)originals.shape[0]);
            written.Add(path);
        }
        else if (samples.shape[1] == 2)
        {
            var shown = data.Examples.narrow(0, 0, Math.Min(2000, data.Count));
            Plots.Scatter(samplesPath, "vae samples (decoder means) vs data", [("data", shown), ("samples", samples)]);
            written.Add(samplesPath);
        }
        return written;
    }
}
