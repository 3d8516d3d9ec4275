using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.Data.Tables;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.IO.Reports;
using Loom.Models;
using Loom.Models.Tabular;

namespace Loom.Evaluation.Tables;

/// <summary>What a table evaluation compares and how.</summary>
public sealed record TableEvaluationOptions
{
    /// <summary>Metadata file for the real table (default: detected, with <c>NAME.metadata.json</c> beside the CSV laid over).</summary>
    public string? Metadata { get; init; }
    /// <summary>Held-out real rows the model never saw (CSV): the yardstick of the privacy numbers. Optional.</summary>
    public string? Holdout { get; init; }
    /// <summary>Synthetic (and held-out) rows the privacy numbers measure at most (a seeded subset).</summary>
    public int PrivacyRows { get; init; } = 2000;
    /// <summary>Seed of the subsets and of the rows drawn from a checkpoint.</summary>
    public long Seed { get; init; }
    /// <summary>
    /// A column to predict for the machine-learning utility (<see cref="TableUtility"/>: train on synthetic, test on real, beside
    /// train on real); null = no utility. The test rows are the holdout, or 20% of the real table (seeded) without one.
    /// </summary>
    public string? Target { get; init; }
    /// <summary>Real and synthetic rows the utility models train on at most (seeded subsets).</summary>
    public int UtilityRows { get; init; } = 10000;

    public void Validate()
    {
        if (PrivacyRows < 1) throw LoomUsageException.ForOption(nameof(PrivacyRows), $"must be at least 1, got {PrivacyRows}");
        if (UtilityRows < 2) throw LoomUsageException.ForOption(nameof(UtilityRows), $"must be at least 2, got {UtilityRows}");
        if (Target is { } t && string.IsNullOrWhiteSpace(t)) throw LoomUsageException.ForOption(nameof(Target), "names no column");
    }
}

/// <summary>A table evaluation's numbers.</summary>
public sealed record TableEvaluationResult(string Source, int RealRows, int SyntheticRows, TableQualityReport Quality,
    TablePrivacyReport Privacy, TableUtilityReport? Utility = null);

/// <summary>
/// <c>loom eval</c> for tables: a synthetic CSV (or rows drawn from a table model's checkpoint, as many as the real
/// table has) against the real table with the same metadata; SDMetrics' quality report (<see cref="TableQuality"/>) and
/// the privacy numbers (<see cref="TablePrivacy"/>), written as metrics.json and report.html.
/// </summary>
public static class TableEvaluation
{
    public const string MetricsFile = "metrics.json";
    public const string ReportFile = "report.html";

    /// <summary>The kinds of table models, whose checkpoints evaluate as tables.</summary>
    public static IReadOnlySet<string> TableModelKinds { get; } =
        new HashSet<string>
        {
            GaussianCopula.KindName, Models.Tabular.Neural.CtganModel.KindName, Models.Tabular.Neural.TvaeModel.KindName,
            Models.Tabular.Diffusion.TabDdpmModel.KindName,
        };

    /// <summary>
    /// True when <paramref name="dataSpec"/> is a table to evaluate as one: a Parquet file, a CSV with a cell that is not a
    /// number below its header, or <paramref name="source"/> a table model's checkpoint.
    /// </summary>
    public static bool Applies(string dataSpec, string source)
    {
        if (Directory.Exists(source) && File.Exists(Path.Combine(source, Checkpoint.ConfigFile))
            && TableModelKinds.Contains(Checkpoint.ReadConfig(source).Kind))
            return true;
        if (File.Exists(dataSpec) && ParquetTable.IsParquet(dataSpec))
            return true;
        if (!File.Exists(dataSpec) || !dataSpec.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            return DataCatalog.Find(dataSpec) is { Kind: DatasetKind.Table, Files.Count: > 0 };
        var records = CsvText.Parse(TextFile.Read(dataSpec), dataSpec);
        return records.Skip(1).Any(r => r.Any(c => !CellText.IsMissing(c.Trim()) && !CellText.TryNumber(c.Trim(), out _)));
    }

    /// <summary>
    /// Evaluates <paramref name="source"/> (a CSV or a table checkpoint) against the real table <paramref name="dataSpec"/>.
    /// </summary>
    public static TableEvaluationResult Evaluate(string source, string dataSpec, TableEvaluationOptions options)
    {
        options.Validate();
        var (real, _) = CopulaTrainingRun.ReadTable(dataSpec, options.Metadata);
        var synthetic = Directory.Exists(source) ? Draw(source, real.RowCount, options.Seed) : Table.ReadAs(source, real.Metadata);
        var holdout = options.Holdout is { } h ? Table.ReadAs(h, real.Metadata) : null;
        var quality = TableQuality.Evaluate(real, synthetic);
        var privacy = TablePrivacy.Evaluate(real, synthetic, holdout, options.PrivacyRows, options.Seed);
        TableUtilityReport? utility = null;
        if (options.Target is { } target)
        {
            var (kept, split) = holdout is null ? real.Split(0.2, options.Seed) : (real, holdout);
            utility = TableUtility.Evaluate(kept, synthetic, split, target.Trim(), holdout is null ? "split" : "holdout",
                options.UtilityRows, options.Seed);
        }
        return new TableEvaluationResult(source, real.RowCount, synthetic.RowCount, quality, privacy, utility);
    }

    private static Table Draw(string checkpoint, int rows, long seed)
    {
        using var model = Checkpoint.Load(checkpoint);
        if (model.GetService<ITableGenerator>() is null)
            throw new LoomDataException($"{checkpoint}: a '{model.Kind}' model does not generate tables");
        return ((TableSamples)model.Sample(new SampleRequest { Count = rows, Seed = seed })).Table;
    }

    /// <summary>The result as JSON (every score, per column and per pair).</summary>
    public static JsonObject ToJson(TableEvaluationResult r) => new()
    {
        ["source"] = r.Source,
        ["real_rows"] = r.RealRows,
        ["synthetic_rows"] = r.SyntheticRows,
        ["quality"] = new JsonObject
        {
            ["overall"] = Json(r.Quality.Overall),
            ["column_shapes"] = Json(r.Quality.ColumnShapes),
            ["column_pair_trends"] = Json(r.Quality.ColumnPairTrends),
        },
        ["column_shapes"] = new JsonArray(r.Quality.Shapes.Select(s => (JsonNode)new JsonObject
        {
            ["column"] = s.Column, ["metric"] = s.Metric, ["score"] = Json(s.Score),
        }).ToArray()),
        ["column_pair_trends"] = new JsonArray(r.Quality.Trends.Select(t => (JsonNode)new JsonObject
        {
            ["columns"] = new JsonArray(t.First, t.Second), ["metric"] = t.Metric, ["score"] = Json(t.Score),
            ["real_correlation"] = Json(t.RealCorrelation), ["synthetic_correlation"] = Json(t.SyntheticCorrelation),
        }).ToArray()),
        ["privacy"] = new JsonObject
        {
            ["dcr_synthetic_median"] = Json(r.Privacy.DcrSyntheticMedian),
            ["dcr_holdout_median"] = Json(r.Privacy.DcrHoldoutMedian),
            ["dcr_ratio"] = Json(r.Privacy.DcrRatio),
            ["nndr_synthetic_median"] = Json(r.Privacy.NndrSyntheticMedian),
            ["nndr_holdout_median"] = Json(r.Privacy.NndrHoldoutMedian),
            ["exact_copy_rate"] = Json(r.Privacy.ExactCopyRate),
            ["holdout_exact_copy_rate"] = Json(r.Privacy.HoldoutExactCopyRate),
            ["synthetic_rows_measured"] = r.Privacy.SyntheticRows,
            ["holdout_rows_measured"] = r.Privacy.HoldoutRows,
        },
        ["utility"] = r.Utility is { } u ? new JsonObject
        {
            ["target"] = u.Target, ["task"] = u.Task, ["metric"] = u.ScoreName,
            ["train_on_real"] = Json(u.RealScore), ["train_on_synthetic"] = Json(u.SyntheticScore),
            ["train_on_real_accuracy"] = Json(u.RealAccuracy), ["train_on_synthetic_accuracy"] = Json(u.SyntheticAccuracy),
            ["utility_ratio"] = Json(u.UtilityRatio), ["train_rows"] = u.TrainRows, ["test_rows"] = u.TestRows,
            ["test_rows_from"] = u.TestSource,
        } : null,
    };

    /// <summary>Writes metrics.json and report.html into <paramref name="outDir"/>.</summary>
    public static void Write(string outDir, string dataSpec, TableEvaluationResult result)
    {
        Directory.CreateDirectory(outDir);
        var json = ToJson(result);
        json["data"] = dataSpec;
        json["loom_version"] = LoomVersion.Current;
        AtomicFile.WriteAllText(Path.Combine(outDir, MetricsFile),
            json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var report = new HtmlReport($"Loom table evaluation: {Path.GetFileName(result.Source)} against {dataSpec}");
        report.Paragraph($"Loom {LoomVersion.Current}; {result.SyntheticRows} synthetic rows against {result.RealRows} real rows. "
            + "Quality as SDMetrics' quality report; conventions in docs/tabular.md.");
        report.Heading("Quality");
        report.Table(["score", "value"], [
            ["overall", F(result.Quality.Overall)], ["column shapes", F(result.Quality.ColumnShapes)],
            ["column pair trends", F(result.Quality.ColumnPairTrends)],
        ]);
        report.Heading("Column shapes", 3);
        report.Table(["column", "metric", "score"],
            result.Quality.Shapes.Select(s => (IReadOnlyList<string>)[s.Column, s.Metric, F(s.Score)]));
        report.Heading("Column pair trends", 3);
        report.Table(["columns", "metric", "score", "real ρ", "synthetic ρ"], result.Quality.Trends.Select(t =>
            (IReadOnlyList<string>)[$"{t.First} × {t.Second}", t.Metric, F(t.Score), F(t.RealCorrelation), F(t.SyntheticCorrelation)]));
        var p = result.Privacy;
        report.Heading("Privacy");
        report.Paragraph(
            $"Gower distances; {p.SyntheticRows} synthetic and {p.HoldoutRows} held-out rows measured against every real row.");
        report.Table(["measure", "synthetic", "held-out real"], [
            ["median distance to closest record (DCR)", F(p.DcrSyntheticMedian), F(p.DcrHoldoutMedian)],
            ["DCR ratio (synthetic / held-out)", F(p.DcrRatio), ""],
            ["median nearest-neighbour distance ratio", F(p.NndrSyntheticMedian), F(p.NndrHoldoutMedian)],
            ["exact copies of real rows", F(p.ExactCopyRate), F(p.HoldoutExactCopyRate)],
        ]);
        if (result.Utility is { } u)
        {
            report.Heading("Machine-learning utility");
            var tested = u.TestSource == "holdout" ? "the holdout" : "a 20% split of the real table, which the model may have seen";
            report.Paragraph($"ML.NET FastTree predicting '{u.Target}' ({u.Task}); trained on {u.TrainRows} real or synthetic rows, "
                + $"tested on {u.TestRows} real rows ({tested}).");
            report.Table(["trained on", u.ScoreName, "accuracy"], [
                ["real (TRTR)", F(u.RealScore), F(u.RealAccuracy)], ["synthetic (TSTR)", F(u.SyntheticScore), F(u.SyntheticAccuracy)],
                ["utility ratio (TSTR / TRTR)", F(u.UtilityRatio), ""],
            ]);
        }
        report.Save(Path.Combine(outDir, ReportFile));
    }

    private static JsonNode? Json(double? value) => value is { } v && double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static string F(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "—";
}
