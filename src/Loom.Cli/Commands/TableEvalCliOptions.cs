using System.CommandLine;
using Loom.Core;
using Loom.Evaluation.Tables;

namespace Loom.Cli.Commands;

/// <summary>
/// The flags of <c>loom eval</c> for tables (<c>--metadata</c>, <c>--holdout</c>, <c>--privacy-rows</c>, <c>--table</c>,
/// <c>--target</c>, <c>--utility-rows</c>)
/// and the run they start: <see cref="TableEvaluation"/> of a synthetic CSV or a table checkpoint against the real table.
/// </summary>
public sealed class TableEvalCliOptions
{
    private static readonly TableEvaluationOptions Defaults = new();

    public Option<string?> Metadata { get; } = new("--metadata")
    {
        Description = "Tables: metadata JSON of the real table (SDV layout); default detected, with NAME.metadata.json beside the CSV"
    };
    public Option<string?> Holdout { get; } = new("--holdout")
    {
        Description = "Tables: held-out real rows (CSV) the privacy numbers compare with"
    };
    public Option<int> PrivacyRows { get; } = new("--privacy-rows")
    {
        Description = "Tables: synthetic and held-out rows measured for privacy (seeded subset)",
        DefaultValueFactory = _ => Defaults.PrivacyRows
    };
    public Option<bool> Table { get; } = new("--table")
    {
        Description = "Evaluate as tables even when the CSV holds only numbers (implied by --metadata, --holdout or a table model)"
    };

    public Option<string?> Target { get; } = new("--target")
    {
        Description = "Tables: a column to predict for machine-learning utility (FastTree trained on synthetic vs real rows, tested on "
            + "the holdout or a 20% split): macro F1 and accuracy for labels, R² for numbers"
    };

    public Option<int> UtilityRows { get; } = new("--utility-rows")
    {
        Description = "Tables: real and synthetic rows the --target models train on at most (seeded subsets)",
        DefaultValueFactory = _ => Defaults.UtilityRows
    };

    public IEnumerable<Option> All => [Metadata, Holdout, PrivacyRows, Table, Target, UtilityRows];

    /// <summary>True when the command evaluates tables: asked for, or the data and source are tables.</summary>
    public bool Applies(ParseResult parse, string data, string source) =>
        parse.GetValue(Table) || parse.GetValue(Metadata) is not null || parse.GetValue(Holdout) is not null
        || parse.GetValue(Target) is not null
        || TableEvaluation.Applies(data, source);

    public int Run(ParseResult parse, string source, string[] against, string data, string outDir, long seed, TextWriter console)
    {
        if (against.Length > 0)
            throw new LoomUsageException(
                "--against: a table evaluation compares one synthetic table with the real one; run eval once per table");
        if (!Directory.Exists(source) && !File.Exists(source))
            throw new LoomDataException($"{source}: no such checkpoint folder or CSV file");
        var options = new TableEvaluationOptions
        {
            Metadata = parse.GetValue(Metadata), Holdout = parse.GetValue(Holdout), PrivacyRows = parse.GetValue(PrivacyRows), Seed = seed,
            Target = parse.GetValue(Target), UtilityRows = parse.GetValue(UtilityRows),
        };
        var result = TableEvaluation.Evaluate(source, data, options);
        TableEvaluation.Write(outDir, data, result);
        var q = result.Quality;
        var p = result.Privacy;
        console.WriteLine($"{source} ({result.SyntheticRows} rows) against {data} ({result.RealRows} rows)");
        console.WriteLine($"  quality                      {q.Overall:0.0000}");
        console.WriteLine($"  column_shapes                {q.ColumnShapes:0.0000}");
        console.WriteLine($"  column_pair_trends           {q.ColumnPairTrends:0.0000}");
        console.WriteLine($"  dcr_synthetic_median         {p.DcrSyntheticMedian:0.0000}");
        if (p.DcrRatio is { } ratio) console.WriteLine($"  dcr_ratio                    {ratio:0.0000}");
        console.WriteLine($"  exact_copy_rate              {p.ExactCopyRate:0.0000}");
        if (p.HoldoutExactCopyRate is { } held) console.WriteLine($"  holdout_exact_copy_rate      {held:0.0000}");
        if (result.Utility is { } u)
        {
            console.WriteLine($"  {"tstr_" + u.ScoreName,-29}{u.SyntheticScore:0.0000}");
            console.WriteLine($"  {"trtr_" + u.ScoreName,-29}{u.RealScore:0.0000}");
            if (u.UtilityRatio is { } ratio2) console.WriteLine($"  utility_ratio                {ratio2:0.0000}");
        }
        console.WriteLine(
            $"wrote {Path.Combine(outDir, TableEvaluation.MetricsFile)} and {Path.Combine(outDir, TableEvaluation.ReportFile)}");
        return 0;
    }
}
