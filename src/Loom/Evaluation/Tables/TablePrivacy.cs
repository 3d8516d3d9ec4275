using Loom.Data.Tables;

namespace Loom.Evaluation.Tables;

/// <summary>Privacy numbers of a synthetic table against the real (training) table, with a held-out real table as the yardstick.</summary>
/// <param name="DcrSyntheticMedian">Median distance from a synthetic row to its closest real row (Gower distance).</param>
/// <param name="DcrHoldoutMedian">The same for held-out real rows (null without a holdout).</param>
/// <param name="DcrRatio">Synthetic over holdout median: about 1 when synthetic rows are no closer to the training rows than new real
/// rows are.</param>
/// <param name="NndrSyntheticMedian">Median nearest / second-nearest distance ratio of synthetic rows (low = sits on one real row).</param>
/// <param name="NndrHoldoutMedian">The same for held-out rows.</param>
/// <param name="ExactCopyRate">Share of synthetic rows equal to some real row in every column (ids left out).</param>
/// <param name="HoldoutExactCopyRate">The same for held-out rows: the rate data with duplicates has on its own.</param>
/// <param name="SyntheticRows">Synthetic rows measured (a seeded subset of at most the configured count).</param>
/// <param name="HoldoutRows">Held-out rows measured.</param>
public sealed record TablePrivacyReport(double DcrSyntheticMedian, double? DcrHoldoutMedian, double? DcrRatio, double NndrSyntheticMedian,
    double? NndrHoldoutMedian, double ExactCopyRate, double? HoldoutExactCopyRate, int SyntheticRows, int HoldoutRows);

/// <summary>
/// Distance to closest record (DCR), nearest-neighbour distance ratio (NNDR) and exact-copy rate of synthetic rows
/// against the training rows, each beside the same number for held-out real rows, on Gower distances
/// (<see cref="GowerDistance"/>: numbers normalised by the real ranges, labels matched). Rows are subsampled (seeded)
/// to at most <c>maxRows</c> queries; every training row is searched.
/// </summary>
public static class TablePrivacy
{
    public static TablePrivacyReport Evaluate(Table real, Table synthetic, Table? holdout, int maxRows, long seed)
    {
        var gower = new GowerDistance(real);
        var codes = new Dictionary<string, Dictionary<string, int>>();
        var realRows = gower.Encode(real, codes);
        var realKeys = RowKeys(real);
        var synth = Subsample(synthetic, maxRows, seed);
        var synthNear = gower.NearestTwo(gower.Encode(synth, codes), realRows);
        double copy = RowKeys(synth).Count(realKeys.Contains) / (double)synth.RowCount;
        if (holdout is null)
            return new TablePrivacyReport(Median(synthNear.Select(n => n.Nearest)), null, null, Median(synthNear.Select(Ratio)), null, copy,
                null, synth.RowCount, 0);
        var held = Subsample(holdout, maxRows, seed + 1);
        var heldNear = gower.NearestTwo(gower.Encode(held, codes), realRows);
        double dcrSynth = Median(synthNear.Select(n => n.Nearest)), dcrHeld = Median(heldNear.Select(n => n.Nearest));
        double heldCopy = RowKeys(held).Count(realKeys.Contains) / (double)held.RowCount;
        return new TablePrivacyReport(dcrSynth, dcrHeld, dcrHeld > 0 ? dcrSynth / dcrHeld : double.NaN, Median(synthNear.Select(Ratio)),
            Median(heldNear.Select(Ratio)), copy, heldCopy, synth.RowCount, held.RowCount);
    }

    private static double Ratio((double Nearest, double Second) n) =>
        n.Second > 0 ? n.Nearest / n.Second : n.Nearest == 0 ? 0 : 1;

    private static Table Subsample(Table table, int maxRows, long seed)
    {
        if (table.RowCount <= maxRows) return table;
        var rows = Enumerable.Range(0, table.RowCount).ToArray();
        new Random(unchecked((int)seed)).Shuffle(rows);
        return table.Select(rows[..maxRows].Order().ToList());
    }

    private static HashSet<string> RowKeys(Table table) => Enumerable.Range(0, table.RowCount).Select(i => string.Join("\u0001",
        table.Columns.Where(c => c.Kind != ColumnKind.Id).Select(c => c.Format(i)))).ToHashSet();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
