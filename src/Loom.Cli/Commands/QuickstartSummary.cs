using System.Globalization;
using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;
using Loom.IO.Reports;
using Loom.Models;

namespace Loom.Cli.Commands;

/// <summary>
/// The table that opens the quickstart report: one row per model the quickstart ran, with its family, headline metric,
/// the documented peer or bar (<see cref="QuickstartPeers"/>), the wall time of its steps and a thumbnail.
/// </summary>
internal static class QuickstartSummary
{
    /// <summary>
    /// What one row shows: the headline metric (a JSON file under the quickstart folder and the path to the number in
    /// it; an array of numbers shows its smallest) and the picture or text sample of the model.
    /// </summary>
    private sealed record Row(string Model, string MetricFile, string MetricPath, string MetricName, string Units, string Thumbnail)
    {
        /// <summary>More numbers of the same file shown in the metric's detail line: a label and the path to the number.</summary>
        public IReadOnlyList<(string Label, string Path)> Beside { get; init; } = [];
    }

    private static readonly Row[] Rows =
    [
        new("gmm", "eval-gmm/metrics.json", "results/0/metrics/mmd2_rbf",
            "MMD² (RBF, unbiased) to fresh 8-gaussians draws; 0 = indistinguishable", "", "gmm/samples.png"),
        new("ngram", "ngram/card.json", "metrics/val_bits_per_token",
            "validation cross-entropy, last 10% of tinyshakespeare", "bits/char", "ngram/romeo.txt"),
        new("gpt", "gpt/card.json", "metrics/val_loss",
            "validation loss, exact over the held-out split", "nats/char", "gpt/romeo.txt"),
        new("diffusion-2d", "eval-diffusion-2d/metrics.json", "results/0/metrics/mmd2_rbf",
            "MMD² (RBF, unbiased) to fresh 8-gaussians draws; 0 = indistinguishable", "", "diffusion-2d/samples.png"),
        new("flow-2d", "flow-2d/card.json", "metrics/heldout_nll",
            "exact held-out NLL per point; the true 8-gaussians density scores heldout_true_nll on the same points", "nats/point",
            "flow-2d/samples.png"),
        new("rbm", "rbm/card.json", "metrics/exact_nll",
            "exact NLL of the 30 patterns (log Z by enumerating 2^16 visible states)", "nats/pattern", "rbm/samples.png")
        {
            Beside =
            [
                ("optimum ln 30", "metrics/optimal_nll"), ("AIS log Z", "metrics/ais_log_z"), ("exact log Z", "metrics/exact_log_z"),
                ("valid Gibbs samples (fraction)", "metrics/valid_sample_fraction"), ("patterns reached", "metrics/patterns_covered"),
            ],
        },
        new("diffusion-fmnist", "diffusion-fmnist/card.json", "metrics/final_loss",
            "training loss of the last batch (min-SNR-weighted MSE); no sample-quality eval in the quickstart", "",
            "diffusion-fmnist/samples.png"),
        new("cvae-fmnist", "cvae-fmnist/card.json", "metrics/test_nll_k100",
            "importance-sampled test NLL (k = 100, binarized test images)", "nats/image", "cvae-fmnist/interpolation.png"),
        new("mcmc", "mcmc/summary.json", "ess",
            "effective sample size of the 8 chains' draws (smallest over the coordinates)", "effective draws", "mcmc/draws.png"),
    ];

    public static readonly IReadOnlyList<string> Header = ["family", "headline metric", "peer or bar", "wall time", "thumbnail"];

    /// <summary>Adds the table: a row for each model in <see cref="Rows"/> that a step of <paramref name="steps"/> ran.</summary>
    public static void AddTo(HtmlReport report, string dir, IReadOnlyList<TimedStep> steps)
    {
        var rows = Rows.Where(r => steps.Any(s => s.Step.Model == r.Model))
            .Select(r => (IReadOnlyList<ReportCell>)
                [Family(dir, r, steps), Metric(dir, r), Peer(r, steps), WallTime(r, steps), Thumbnail(dir, r)]);
        report.Table(Header, rows.ToList());
    }

    private static ReportCell Family(string dir, Row row, IReadOnlyList<TimedStep> steps)
    {
        var title = steps.First(s => s.Step.Model == row.Model).Step.Title;
        var ckpt = Path.Combine(dir, row.Model);
        if (!File.Exists(Path.Combine(ckpt, Checkpoint.CardFile)))
            return new ReportCell(row.Model) { Href = "#" + row.Model, Detail = $"{title} ({row.Model}/)" };
        var kind = Checkpoint.ReadCard(ckpt).Kind;
        var summary = ModelRegistry.TryGet(kind, out var family) ? family!.Summary : "";
        return new ReportCell(kind) { Href = "#" + row.Model, Detail = $"{summary}\n{title} ({row.Model}/)" };
    }

    private static ReportCell Metric(string dir, Row row)
    {
        var file = Path.Combine(dir, row.MetricFile);
        if (!File.Exists(file))
            return new ReportCell("—") { Detail = $"{row.MetricFile} was not written" };
        var json = JsonNode.Parse(File.ReadAllText(file));
        if (Number(json, row.MetricPath) is not { } value)
            return new ReportCell("—") { Detail = $"{row.MetricFile} has no number at {row.MetricPath}" };
        var text = FourSignificantDigits(value) + (row.Units.Length > 0 ? " " + row.Units : "");
        var beside = row.Beside.Select(b => $"; {b.Label} {(Number(json, b.Path) is { } x ? FourSignificantDigits(x) : "—")}");
        return new ReportCell(text) { Detail = $"{row.MetricName}{string.Concat(beside)} ({row.MetricFile})" };
    }

    /// <summary>The number at <paramref name="path"/> (parts split by '/'); an array of numbers gives its smallest.</summary>
    private static double? Number(JsonNode? node, string path)
    {
        foreach (var part in path.Split('/'))
            node = node switch
            {
                JsonArray array when int.TryParse(part, CultureInfo.InvariantCulture, out int i) && i >= 0 && i < array.Count => array[i],
                JsonObject obj => obj[part],
                _ => null,
            };
        return node switch
        {
            JsonValue v when v.TryGetValue(out double d) => d,
            JsonArray a when a.Count > 0 && a.All(x => x is JsonValue v && v.TryGetValue(out double _))
                => a.Min(x => x!.GetValue<double>()),
            _ => null,
        };
    }

    /// <summary>2.260, 697.3, -0.001044, 12345: four significant digits, trailing zeros kept, no exponent; a whole number below
    /// a million as it is (30 patterns, not 30.00).</summary>
    internal static string FourSignificantDigits(double value)
    {
        if (value == 0 || !double.IsFinite(value) || (value == Math.Round(value) && Math.Abs(value) < 1e6))
            return value.ToString(CultureInfo.InvariantCulture);   // counts (patterns reached 30) stay whole numbers
        int decimals = Math.Clamp(3 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 12);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static ReportCell Peer(Row row, IReadOnlyList<TimedStep> steps)
    {
        var training = steps.FirstOrDefault(s => s.Step.Model == row.Model && s.Step.Command == "train")?.Step.Args ?? [];
        var documented = QuickstartPeers.All.Where(p => p.Model == row.Model).ToList();
        if (documented.FirstOrDefault(p => p.AppliesTo(training)) is { } peer)
            return new ReportCell($"{peer.Source}: {peer.Quote}") { Detail = peer.More };
        if (documented.Count == 0)
            return new ReportCell("—");
        var other = documented[0];
        var settings = string.Join(' ', other.DocumentedOptions.Select(o => $"{o.Option} {o.Value}"));
        var ours = string.Join(' ', other.DocumentedOptions.Where(o => QuickstartPeer.ValueOf(training, o.Option) != o.Value)
            .Select(o => $"{o.Option} {QuickstartPeer.ValueOf(training, o.Option) ?? "(default)"}"));
        return new ReportCell("—") { Detail = $"{other.Source} has numbers for {settings}; this run: {ours}" };
    }

    private static ReportCell WallTime(Row row, IReadOnlyList<TimedStep> steps)
    {
        var mine = steps.Where(s => s.Step.Model == row.Model).ToList();
        var total = TimeSpan.FromTicks(mine.Sum(s => s.Wall.Ticks));
        var parts = mine.Select(s => $"{s.Step.Command}\u00a0{Seconds(s.Wall)}"); // no-break spaces: "train 16.4 s" stays one line
        return new ReportCell(Seconds(total)) { Detail = string.Join('\n', parts) };
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds < 60
        ? t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + "\u00a0s"
        : $"{(int)t.TotalMinutes}\u00a0min {t.Seconds}\u00a0s";

    private static ReportCell Thumbnail(string dir, Row row)
    {
        var path = Path.Combine(dir, row.Thumbnail);
        if (!File.Exists(path))
            return new ReportCell("—") { Detail = $"{row.Thumbnail} was not written" };
        if (!path.EndsWith(".txt", StringComparison.Ordinal))
            return ReportCell.Thumbnail(path, row.Thumbnail) with { Detail = row.Thumbnail };
        var lines = File.ReadLines(path).Where(l => l.Trim().Length > 0).Take(TextLines)
            .Select(l => l.Length <= TextWidth ? l : l[..(TextWidth - 1)] + "…");
        return new ReportCell(string.Join('\n', lines)) { Monospace = true, Detail = $"first lines of {row.Thumbnail}" };
    }

    private const int TextLines = 4;
    private const int TextWidth = 36;
}
