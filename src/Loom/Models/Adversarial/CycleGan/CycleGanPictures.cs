using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Training;
using TorchSharp;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>The pictures a CycleGAN run draws beside its checkpoint: loss.png during the run, translations.png at the end.</summary>
public static class CycleGanPictures
{
    /// <summary>loss.png: both phases' losses and the unweighted cycle, identity and per-discriminator terms against step.</summary>
    public static string WriteLossCurve(string folder)
    {
        var path = Path.Combine(folder, "loss.png");
        var entries = MetricsLog.ReadFile(Path.Combine(folder, Checkpoint.LogFile));
        var series = new List<Plots.Series>();
        foreach (var (key, label) in new[]
        {
            ("generators_loss", "generators (total)"), ("discriminators_loss", "discriminators (total)"),
            ("generators_cycle", "cycle L1"), ("generators_identity", "identity L1"),
            ("discriminators_d_a", "D_A"), ("discriminators_d_b", "D_B"),
        })
        {
            var points = entries.Where(e => e[key] is not null).ToList();
            if (points.Count > 0)
                series.Add(new Plots.Series(label, points.Select(e => e["step"]!.GetValue<double>()).ToList(),
                    points.Select(e => e[key]!.GetValue<double>()).ToList()));
        }
        if (series.Count > 0)
            Plots.LossCurve(path, "cyclegan: LSGAN + cycle + identity", series, logY: true);
        return path;
    }

    /// <summary>
    /// translations.png: rows are the first images of domain A, their A→B translations and the cycle back to A, then
    /// the same for domain B.
    /// </summary>
    public static string WriteTranslations(CycleGanModel model, CycleGanData data, string folder, int perRow = 8)
    {
        var path = Path.Combine(folder, "translations.png");
        using var scope = torch.NewDisposeScope();
        var a = data.First(domainA: true, perRow);
        var b = data.First(domainA: false, perRow);
        int columns = (int)Math.Min(a.shape[0], b.shape[0]);
        a = a.narrow(0, 0, columns);
        b = b.narrow(0, 0, columns);
        var (aToB, aBack) = model.Cycle(a, TranslationDirection.AtoB);
        var (bToA, bBack) = model.Cycle(b, TranslationDirection.BtoA);
        SampleGrid.Write(path, torch.cat([a, aToB, aBack, b, bToA, bBack], 0), columns: columns);
        return path;
    }
}
