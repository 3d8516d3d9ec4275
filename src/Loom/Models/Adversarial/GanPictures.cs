using System.Text.Json.Nodes;
using Loom.IO.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>
/// The pictures a GAN run draws: samples from a fixed noise (progress/step-N.png during the run, samples.png at the end)
/// and loss.png.
/// </summary>
public static class GanPictures
{
    /// <summary>The file of the final samples, beside the checkpoint.</summary>
    public const string SamplesFile = "samples.png";

    /// <summary>The folder of the progress pictures, beside the checkpoint.</summary>
    public const string ProgressFolder = "progress";

    /// <summary>
    /// The fixed noise of the progress pictures and samples.png: latents from the seed, 8 per class in rows for a
    /// conditional model, 64 images or 1,000 points otherwise.
    /// </summary>
    public static (Tensor Latents, Tensor? Labels) FixedNoise(GanModel model, long seed)
    {
        int count = model.NumClasses > 0 ? model.NumClasses * 8 : model.Config.Images ? 64 : 1000;
        return (model.Latents(count, seed), model.Labels(count, null));
    }

    /// <summary>The progress picture of <paramref name="step"/> in <paramref name="folder"/>.</summary>
    public static string ProgressPath(string folder, long step) => Path.Combine(folder, ProgressFolder, $"step-{step:D6}.png");

    /// <summary>Writes samples.png from the fixed noise; returns its path, or "" for vectors that are not 2-D.</summary>
    public static string WritePreview(GanModel model, GanData? data, string folder, long seed)
    {
        using var scope = torch.NewDisposeScope();
        var (latents, labels) = FixedNoise(model, seed);
        return Write(model, data, model.Decode(latents, labels), Path.Combine(folder, SamplesFile));
    }

    /// <summary>
    /// Writes <paramref name="samples"/> (data space) to <paramref name="path"/>: an image grid in rows of 8, or for 2-D
    /// vectors a scatter over the first 2,000 data points; returns the path, or "" for vectors that are not 2-D.
    /// </summary>
    public static string Write(GanModel model, GanData? data, Tensor samples, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (model.Config.Images)
        {
            SampleGrid.Write(path, samples, columns: 8);
            return path;
        }
        if (samples.shape[1] != 2)
            return "";
        var sets = new List<(string, Tensor)>();
        if (data is not null)
            sets.Add(("data", data.Rows(Enumerable.Range(0, (int)Math.Min(2000, data.Set.Count)).Select(i => (long)i).ToArray())));
        sets.Add(("samples", samples));
        Plots.Scatter(path, "GAN samples vs data", sets);
        return path;
    }

    /// <summary>The discriminator and generator losses against step (the latest generator loss on critic-only steps).</summary>
    public static void WriteLossCurve(IReadOnlyList<JsonObject> entries, string path, string title)
    {
        var series = new List<Plots.Series>();
        foreach (var network in new[] { "discriminator", "generator" })
        {
            var points = entries.Where(e => e[network + "_loss"] is not null).ToList();
            if (points.Count > 0)
                series.Add(new Plots.Series(network, points.Select(e => e["step"]!.GetValue<double>()).ToList(),
                    points.Select(e => e[network + "_loss"]!.GetValue<double>()).ToList()));
        }
        if (series.Count > 0)
            Plots.LossCurve(path, title, series);
    }
}
