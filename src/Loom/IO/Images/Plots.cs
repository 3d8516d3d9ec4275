using Loom.Core;
using ScottPlot;
using static TorchSharp.torch;

namespace Loom.IO.Images;

/// <summary>PNG plots (ScottPlot): loss curves and 2-D scatter plots, written atomically.</summary>
public static class Plots
{
    /// <summary>One named series of (x, y) values for a line plot.</summary>
    public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

    /// <summary>Line plot of training curves; the y axis is logarithmic when <paramref name="logY"/> and all values are positive.</summary>
    public static void LossCurve(string path, string title, IReadOnlyList<Series> series, string xLabel = "step", string yLabel = "loss",
        bool logY = false, int width = 800, int height = 500)
    {
        var plot = new Plot();
        bool useLog = logY && series.All(s => s.Y.All(v => v > 0));
        foreach (var s in series.Where(s => s.X.Count > 0))
        {
            if (s.X.Count != s.Y.Count)
                throw new LoomDataException($"{path}: series '{s.Name}' has {s.X.Count} x values and {s.Y.Count} y values");
            var ys = useLog ? s.Y.Select(Math.Log10).ToArray() : s.Y.ToArray();
            var line = plot.Add.Scatter(s.X.ToArray(), ys);
            line.LegendText = s.Name;
            line.MarkerSize = s.X.Count > 60 ? 0 : 4;
        }
        if (useLog)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                LabelFormatter = y => $"{Math.Pow(10, y):G3}",
            };
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend();
        Save(plot, path, width, height);
    }

    /// <summary>Scatter plot of one or more [n, 2] point sets (e.g. training data vs samples).</summary>
    public static void Scatter(string path, string title, IReadOnlyList<(string Name, Tensor Points)> sets,
        int width = 600, int height = 600)
    {
        var plot = new Plot();
        foreach (var (name, points) in sets)
        {
            if (points.dim() != 2 || points.shape[1] != 2)
                throw new LoomDataException($"{path}: '{name}' has shape [{string.Join(", ", points.shape)}]; a scatter plot needs [n, 2]");
            using var cpu = points.to(ScalarType.Float64).cpu().contiguous();
            var flat = cpu.data<double>().ToArray();
            var xs = new double[flat.Length / 2];
            var ys = new double[flat.Length / 2];
            for (int i = 0; i < xs.Length; i++)
            {
                xs[i] = flat[2 * i];
                ys[i] = flat[2 * i + 1];
            }
            var scatter = plot.Add.ScatterPoints(xs, ys);
            scatter.LegendText = name;
            scatter.MarkerSize = xs.Length > 2000 ? 2 : 4;
        }
        plot.Title(title);
        plot.Axes.SquareUnits();
        plot.ShowLegend();
        Save(plot, path, width, height);
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.tmp.png");
        try
        {
            plot.SavePng(tmp, width, height);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
