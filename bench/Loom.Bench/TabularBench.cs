using System.Diagnostics;
using System.Globalization;
using Loom.Data;
using Loom.Data.Tables;
using Loom.Evaluation.Tables;
using Loom.Models;
using Loom.Models.Tabular;
using Loom.Models.Tabular.Diffusion;
using Loom.Models.Tabular.Neural;
using static Loom.Bench.BenchSupport;

namespace Loom.Bench;

/// <summary>
/// <c>tabular</c>: the Gaussian copula on diamonds (80% train, 20% held out, seeded): fit time (median of repeats),
/// SDMetrics quality (overall, column shapes, column pair trends), DCR ratio, NNDR and exact-copy rate against the
/// holdout's own — beside an independent-columns baseline (each training column shuffled on its own: perfect shapes,
/// no trends). The peer (bench/peers/table_quality.py, scipy/pandas) recomputes the quality scores from the CSVs.
/// Options: --data diamonds --repeats 3 --privacy-rows 2000 --seed 0 --no-peer. With --neural it also trains CTGAN, TVAE and
/// TabDDPM (on a seeded subset of --neural-rows training rows for --ctgan-epochs / --tvae-epochs / --tabddpm-steps with
/// --tabddpm-timesteps diffusion steps, the CPU budget; --synthesizers ctgan,tvae,tabddpm picks which) and prints one table
/// of every synthesizer with the machine-learning utility of each --target (default cut,price: FastTree trained on synthetic vs
/// real rows, tested on the holdout; macro F1 for cut, R² for price); --breakdown adds every synthesizer's score per column and
/// per pair, --save-synthetic DIR keeps the rows as CSVs (<see cref="TabularBreakdown"/>); --both-one-hots adds a row per CTGAN/TVAE
/// sampled with the other <see cref="OneHotChoice"/> (same weights and seed); --ctgan-recipe / --tvae-recipe / --tabddpm-recipe JSON
/// sets more recipe values (e.g. '{"loss_factor": 4}'); --target , skips the utility columns.
/// </summary>
public static class TabularBench
{
    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var dataName = StringOption(args, "--data") ?? "diamonds";
        int repeats = Option(args, "--repeats", 3), privacyRows = Option(args, "--privacy-rows", 2000), seed = Option(args, "--seed", 0);
        var (table, _) = CopulaTrainingRun.ReadTable(dataName, null);
        var (train, holdout) = table.Split(0.2, seed);
        Console.WriteLine($"tabular bench: {dataName}, {train.RowCount} training rows, {holdout.RowCount} held out, "
            + $"{table.Columns.Count} columns, privacy on {privacyRows} rows");
        var times = new List<double>();
        GaussianCopula? model = null;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            model = GaussianCopula.Fit(train, "auto", seed);
            times.Add(clock.Elapsed.TotalSeconds);
        }
        var sampleClock = Stopwatch.StartNew();
        var synthetic = ((TableSamples)model!.Sample(new SampleRequest { Count = train.RowCount, Seed = seed + 1 })).Table;
        double sampleSeconds = sampleClock.Elapsed.TotalSeconds;
        Console.WriteLine("marginals: " + string.Join(", ", model.Columns.Where(c => c.Marginal is not null)
            .Select(c => $"{c.Spec.Name} {c.Marginal!.Name}")));
        var copula = Measure(train, synthetic, holdout, privacyRows, seed);
        var baseline = Measure(train, ShuffledColumns(train, seed), holdout, privacyRows, seed);

        var dir = Directory.CreateTempSubdirectory("loom-tabular-bench-").FullName;
        train.Write(Path.Combine(dir, "train.csv"));
        synthetic.Write(Path.Combine(dir, "synthetic.csv"));
        train.Metadata.Save(Path.Combine(dir, "metadata.json"));
        string peerLine = "";
        if (!args.Contains("--no-peer"))
        {
            var peer = RunPythonPeer("table_quality.py", Path.Combine(dir, "train.csv"), Path.Combine(dir, "synthetic.csv"),
                Path.Combine(dir, "metadata.json"));
            double peerOverall = peer["overall"]!.GetValue<double>();
            double peerShapes = peer["column_shapes"]!.GetValue<double>(), peerTrends = peer["column_pair_trends"]!.GetValue<double>();
            peerLine = $"peer ({peer["versions"]}) on the same CSVs: overall {peerOverall:F4}, shapes {peerShapes:F4}, "
                + $"trends {peerTrends:F4}; |loom − peer| overall {Math.Abs(peerOverall - copula.Quality.Overall):G3}";
        }
        Directory.Delete(dir, recursive: true);

        Console.WriteLine($"fit times [{string.Join(", ", times.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}] s, "
            + $"sampling {train.RowCount} rows {sampleSeconds:F3} s");
        if (peerLine.Length > 0) Console.WriteLine(peerLine);
        Console.WriteLine();
        Console.WriteLine("| synthesizer | fit (s) | quality | column shapes | pair trends | DCR ratio | NNDR median | exact copies "
            + "| holdout's own copies |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(Row("Gaussian copula", Median(times), copula));
        Console.WriteLine(Row("independent columns (baseline)", double.NaN, baseline));
        if (args.Contains("--neural"))
            NeuralTable(args, train, holdout, synthetic, Median(times), privacyRows, seed);
        return 0;
    }

    /// <summary>Copula, CTGAN and TVAE side by side: quality, trends, TSTR against TRTR, DCR ratio, exact copies, training time.</summary>
    private static void NeuralTable(string[] args, Table train, Table holdout, Table copula, double copulaSeconds, int privacyRows,
        int seed)
    {
        var targets = (StringOption(args, "--target") ?? "cut,price").Split(',', StringSplitOptions.RemoveEmptyEntries);
        int rows = Option(args, "--neural-rows", 10000), ctganEpochs = Option(args, "--ctgan-epochs", 50);
        int tvaeEpochs = Option(args, "--tvae-epochs", 100), tabddpmSteps = Option(args, "--tabddpm-steps", 4000);
        int tabddpmTimesteps = Option(args, "--tabddpm-timesteps", 200);
        var subset = train.RowCount <= rows ? train : train.Split(rows / (double)train.RowCount, seed + 11).Holdout;
        var dir = Directory.CreateTempSubdirectory("loom-tabular-neural-").FullName;
        subset.Write(Path.Combine(dir, "train.csv"));
        train.Metadata.Save(Path.Combine(dir, "train.metadata.json"));
        var results = new List<(string Name, int Rows, double Seconds, Table Synthetic)>
        {
            ("Gaussian copula", train.RowCount, copulaSeconds, copula),
        };
        var runs = new (Loom.Training.Runs.ITrainableFamily Family, string Budget, System.Text.Json.Nodes.JsonObject Recipe)[]
        {
            (new CtganFamily(), $"{ctganEpochs} epochs", new() { ["epochs"] = ctganEpochs }),
            (new TvaeFamily(), $"{tvaeEpochs} epochs", new() { ["epochs"] = tvaeEpochs }),
            (new TabDdpmFamily(), $"{tabddpmSteps} steps, T = {tabddpmTimesteps}",
                new() { ["steps"] = tabddpmSteps, ["timesteps"] = tabddpmTimesteps }),
        };
        var chosen = (StringOption(args, "--synthesizers") ?? "ctgan,tvae,tabddpm").Split(',', StringSplitOptions.RemoveEmptyEntries);
        foreach (var (family, budget, recipe) in runs.Where(r => chosen.Contains(r.Family.Kind)))
        {
            if (StringOption(args, $"--{family.Kind}-recipe") is { } extra)
                foreach (var (key, value) in System.Text.Json.Nodes.JsonNode.Parse(extra)!.AsObject()) recipe[key] = value?.DeepClone();
            var clock = Stopwatch.StartNew();
            recipe["data"] = Path.Combine(dir, "train.csv");
            recipe["seed"] = seed;
            var context = new Loom.Training.Runs.TrainingContext { OutputFolder = Path.Combine(dir, family.Kind) };
            using var outcome = family.Train(recipe, context);
            double seconds = clock.Elapsed.TotalSeconds;
            var sampleClock = Stopwatch.StartNew();
            var drawn = ((TableSamples)outcome.Model.Sample(new SampleRequest { Count = train.RowCount, Seed = seed + 1 })).Table;
            results.Add(($"{family.Kind.ToUpperInvariant()} ({budget})", subset.RowCount, seconds, drawn));
            Console.WriteLine($"{family.Kind}: {outcome.Metrics["steps"]} steps on {subset.RowCount} rows in {seconds:F1} s, "
                + $"sampling {train.RowCount} rows {sampleClock.Elapsed.TotalSeconds:F1} s");
            if (args.Contains("--both-one-hots") && outcome.Model.GetService<IOneHotTableGenerator>() is { } neural)
            {
                var other = neural.DefaultOneHotChoice == OneHotChoice.Draw ? OneHotChoice.MostLikely : OneHotChoice.Draw;
                var request = new SampleRequest { Count = train.RowCount, Seed = seed + 1 }.With(new OneHotSampling(other));
                var otherRows = ((TableSamples)outcome.Model.Sample(request)).Table;
                results.Add(($"{family.Kind.ToUpperInvariant()} ({budget}, one-hots: {other})", subset.RowCount, seconds, otherRows));
            }
        }
        Directory.Delete(dir, recursive: true);
        Console.WriteLine();
        var utilityHeads = targets.Select(t => train.Column(t)!.Labels is null
            ? $"TSTR R² ({t}) | TRTR R² | ratio" : $"TSTR macro F1 ({t}) | TRTR macro F1 | ratio");
        Console.WriteLine("| synthesizer | training rows | train (s) | quality | column shapes | pair trends | "
            + $"{string.Join(" | ", utilityHeads)} | DCR ratio | exact copies | holdout's own copies |");
        Console.WriteLine("|---|---|---|---|---|---|" + string.Concat(targets.Select(_ => "---|---|---|")) + "---|---|---|");
        var reports = new List<(string Name, TableQualityReport Report)>();
        foreach (var (name, count, seconds, synthetic) in results)
        {
            var (quality, privacy) = Measure(train, synthetic, holdout, privacyRows, seed);
            reports.Add((name, quality));
            var utility = targets.Select(t => TableUtility.Evaluate(train, synthetic, holdout, t, "holdout", rows, seed))
                .Select(u => $"{u.SyntheticScore:F4} | {u.RealScore:F4} | {u.UtilityRatio:F3}");
            Console.WriteLine($"| {name} | {count} | {seconds:F1} | {quality.Overall:F4} | {quality.ColumnShapes:F4} | "
                + $"{quality.ColumnPairTrends:F4} | {string.Join(" | ", utility)} | "
                + $"{privacy.DcrRatio:F3} | {privacy.ExactCopyRate:F4} | {privacy.HoldoutExactCopyRate:F4} |");
        }
        if (args.Contains("--breakdown")) TabularBreakdown.Print(reports);
        if (StringOption(args, "--save-synthetic") is { } folder)
            TabularBreakdown.Save(folder, train, holdout, results.Select(r => (r.Name, r.Synthetic)));
    }

    private static (TableQualityReport Quality, TablePrivacyReport Privacy) Measure(Table train, Table synthetic, Table holdout,
        int rows, int seed) =>
        (TableQuality.Evaluate(train, synthetic), TablePrivacy.Evaluate(train, synthetic, holdout, rows, seed));

    /// <summary>Each column of <paramref name="table"/> permuted on its own (seeded): the marginals exactly, no dependence.</summary>
    private static Table ShuffledColumns(Table table, int seed)
    {
        var random = new Random(seed + 7);
        return new Table(table.Metadata, table.Columns.Select(c =>
        {
            var order = Enumerable.Range(0, table.RowCount).ToArray();
            random.Shuffle(order);
            return c.Select(order);
        }).ToList());
    }

    private static string Row(string name, double fit, (TableQualityReport Quality, TablePrivacyReport Privacy) m) =>
        $"| {name} | {(double.IsNaN(fit) ? "—" : fit.ToString("F3", CultureInfo.InvariantCulture))} | {m.Quality.Overall:F4} | "
        + $"{m.Quality.ColumnShapes:F4} | {m.Quality.ColumnPairTrends:F4} | {m.Privacy.DcrRatio:F3} | {m.Privacy.NndrSyntheticMedian:F3} | "
        + $"{m.Privacy.ExactCopyRate:F4} | {m.Privacy.HoldoutExactCopyRate:F4} |";

}
