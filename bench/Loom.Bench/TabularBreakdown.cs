using System.Globalization;
using Loom.Data.Tables;
using Loom.Evaluation.Tables;

namespace Loom.Bench;

/// <summary>
/// The <c>tabular</c> bench's <c>--breakdown</c>: every synthesizer's column shape per column and pair trend per pair side by side
/// (with the real and synthetic correlation of number pairs), so that the pairs a model loses can be read off; and
/// <c>--save-synthetic DIR</c>: the training rows, the holdout, the metadata and each synthesizer's rows as CSVs.
/// </summary>
public static class TabularBreakdown
{
    /// <summary>Prints the per-column and per-pair tables of <paramref name="reports"/> (name, report) as Markdown.</summary>
    public static void Print(IReadOnlyList<(string Name, TableQualityReport Report)> reports)
    {
        if (reports.Count == 0) return;
        var names = reports.Select(r => r.Name).ToList();
        Console.WriteLine();
        Console.WriteLine($"| column | metric | {string.Join(" | ", names)} |");
        Console.WriteLine("|---|---|" + string.Concat(names.Select(_ => "---|")));
        var first = reports[0].Report;
        for (int i = 0; i < first.Shapes.Count; i++)
            Console.WriteLine($"| {first.Shapes[i].Column} | {first.Shapes[i].Metric} | "
                + string.Join(" | ", reports.Select(r => F(r.Report.Shapes[i].Score))) + " |");
        Console.WriteLine();
        Console.WriteLine($"| pair | metric | real ρ | {string.Join(" | ", names.Select(n => $"{n} (synthetic ρ)"))} |");
        Console.WriteLine("|---|---|---|" + string.Concat(names.Select(_ => "---|")));
        for (int i = 0; i < first.Trends.Count; i++)
        {
            var t = first.Trends[i];
            var cells = reports.Select(r => r.Report.Trends[i]).Select(p =>
                p.SyntheticCorrelation is { } rho ? $"{F(p.Score)} ({F(rho)})" : F(p.Score));
            Console.WriteLine($"| {t.First} × {t.Second} | {(t.Metric == "CorrelationSimilarity" ? "correlation" : "contingency")} | "
                + $"{(t.RealCorrelation is { } real ? F(real) : "")} | {string.Join(" | ", cells)} |");
        }
    }

    /// <summary>Writes train.csv, holdout.csv, metadata.json and one CSV per synthesizer into <paramref name="folder"/>.</summary>
    public static void Save(string folder, Table train, Table holdout, IEnumerable<(string Name, Table Synthetic)> synthetic)
    {
        Directory.CreateDirectory(folder);
        train.Write(Path.Combine(folder, "train.csv"));
        holdout.Write(Path.Combine(folder, "holdout.csv"));
        train.Metadata.Save(Path.Combine(folder, "metadata.json"));
        foreach (var (name, table) in synthetic)
            table.Write(Path.Combine(folder, FileName(name) + ".csv"));
    }

    private static string FileName(string name) =>
        new string(name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-').Replace("--", "-");

    private static string F(double value) =>
        double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "—";
}
