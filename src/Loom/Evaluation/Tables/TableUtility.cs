using Loom.Core;
using Loom.Data.Tables;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Loom.Evaluation.Tables;

/// <summary>
/// Machine-learning utility of a synthetic table: a gradient-boosted tree model (ML.NET FastTree) trained on synthetic
/// rows and tested on real rows (TSTR), beside the same model trained on real rows (TRTR). A label target is a
/// classification (macro F1 and accuracy), a number target a regression (R²).
/// </summary>
/// <param name="Target">The target column.</param>
/// <param name="Task">classification or regression.</param>
/// <param name="RealScore">TRTR: macro F1 (classification) or R² (regression) of the model trained on real rows.</param>
/// <param name="SyntheticScore">TSTR: the same for the model trained on synthetic rows.</param>
/// <param name="RealAccuracy">TRTR accuracy (classification only).</param>
/// <param name="SyntheticAccuracy">TSTR accuracy (classification only).</param>
/// <param name="UtilityRatio">SyntheticScore / RealScore (null when the real score is not positive).</param>
/// <param name="TrainRows">Real and synthetic training rows used (each a seeded subset of at most the configured count).</param>
/// <param name="TestRows">Real test rows.</param>
/// <param name="TestSource">holdout (rows the generator never saw) or split (20% of the real table, which the generator may
/// have seen).</param>
public sealed record TableUtilityReport(string Target, string Task, double RealScore, double SyntheticScore, double? RealAccuracy,
    double? SyntheticAccuracy, double? UtilityRatio, int TrainRows, int TestRows, string TestSource)
{
    /// <summary>The score's name: macro_f1 or r2.</summary>
    public string ScoreName => Task == "classification" ? "macro_f1" : "r2";
}

/// <summary>
/// Computes <see cref="TableUtilityReport"/>. Features are every column but the target and ids: numbers as they are
/// (missing → the training mean plus a missing flag), labels one-hot over the real training table's categories.
/// FastTree: 100 trees of 20 leaves, one thread, seeded.
/// </summary>
public static class TableUtility
{
    /// <summary>
    /// Trains on <paramref name="realTrain"/> and on <paramref name="synthetic"/>, tests both on <paramref name="test"/>;
    /// training sets are cut to <paramref name="maxRows"/> (seeded).
    /// </summary>
    public static TableUtilityReport Evaluate(Table realTrain, Table synthetic, Table test, string target, string testSource, int maxRows,
        long seed)
    {
        var column = realTrain.Column(target) ?? throw LoomUsageException.ForOption("Target",
            $"'{target}' is not a column; columns: {string.Join(", ", realTrain.Columns.Select(c => c.Name))}");
        if (column.Kind == ColumnKind.Id)
            throw LoomUsageException.ForOption("Target", $"'{target}' is an id column; pick a column to predict");
        realTrain = Subsample(realTrain, maxRows, seed);
        synthetic = Subsample(synthetic, maxRows, seed + 1);
        var features = new FeatureEncoder(realTrain, target);
        bool classification = column.Labels is not null;
        var ml = new MLContext(unchecked((int)seed));
        var (realScore, realAccuracy) = TrainAndTest(ml, features, realTrain, test, target, classification);
        var (synthScore, synthAccuracy) = TrainAndTest(ml, features, synthetic, test, target, classification);
        return new TableUtilityReport(target, classification ? "classification" : "regression", realScore, synthScore,
            classification ? realAccuracy : null, classification ? synthAccuracy : null,
            realScore > 0 ? synthScore / realScore : null, realTrain.RowCount, test.RowCount, testSource);
    }

    private static (double Score, double Accuracy) TrainAndTest(MLContext ml, FeatureEncoder features, Table train, Table test,
        string target, bool classification)
    {
        var trainRows = features.Rows(train, target, classification, dropMissingTarget: true);
        var testRows = features.Rows(test, target, classification, dropMissingTarget: true);
        if (trainRows.Count < 2 || testRows.Count < 1)
            throw new LoomDataException($"utility: too few rows with a '{target}' to train and test on");
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features.Width);
        var trainView = ml.Data.LoadFromEnumerable(trainRows, schema);
        var testView = ml.Data.LoadFromEnumerable(testRows, schema);
        if (classification)
        {
            var options = new FastTreeBinaryTrainer.Options
            {
                LabelColumnName = "LabelKey", NumberOfTrees = 100, NumberOfLeaves = 20, MinimumExampleCountPerLeaf = 10,
                NumberOfThreads = 1,
            };
            var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(FeatureRow.Class))
                .Append(ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(options), "LabelKey"))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));
            var predicted = pipeline.Fit(trainView).Transform(testView).GetColumn<ReadOnlyMemory<char>>("PredictedClass")
                .Select(p => p.ToString()).ToList();
            var truth = testRows.Select(r => r.Class).ToList();
            return (MacroF1(truth, predicted), truth.Zip(predicted).Count(p => p.First == p.Second) / (double)truth.Count);
        }
        var regression = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            LabelColumnName = nameof(FeatureRow.Value), NumberOfTrees = 100, NumberOfLeaves = 20, MinimumExampleCountPerLeaf = 10,
            NumberOfThreads = 1,
        });
        var scores = regression.Fit(trainView).Transform(testView).GetColumn<float>("Score").Select(s => (double)s).ToList();
        return (RSquared(testRows.Select(r => (double)r.Value).ToList(), scores), double.NaN);
    }

    /// <summary>The mean over classes (those in the truth or the predictions) of each class's F1.</summary>
    public static double MacroF1(IReadOnlyList<string> truth, IReadOnlyList<string> predicted)
    {
        var classes = truth.Concat(predicted).Distinct().ToList();
        return classes.Average(c =>
        {
            int tp = truth.Zip(predicted).Count(p => p.First == c && p.Second == c);
            int fp = predicted.Count(p => p == c) - tp, fn = truth.Count(t => t == c) - tp;
            return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        });
    }

    /// <summary>1 − Σ(y − ŷ)² / Σ(y − ȳ)².</summary>
    public static double RSquared(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        double mean = truth.Average();
        double residual = truth.Zip(predicted).Sum(p => (p.First - p.Second) * (p.First - p.Second));
        double total = truth.Sum(t => (t - mean) * (t - mean));
        return total > 0 ? 1 - residual / total : double.NaN;
    }

    private static Table Subsample(Table table, int maxRows, long seed)
    {
        if (table.RowCount <= maxRows) return table;
        var rows = Enumerable.Range(0, table.RowCount).ToArray();
        new Random(unchecked((int)seed)).Shuffle(rows);
        return table.Select(rows[..maxRows].Order().ToList());
    }

    /// <summary>One row for ML.NET: its features and its target as a class or a value.</summary>
    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
        public string Class { get; set; } = "";
        public float Value { get; set; }
    }

    /// <summary>Features fixed by the real training table: number columns (mean-imputed, with a missing flag) and one-hots.</summary>
    private sealed class FeatureEncoder
    {
        private readonly List<(string Name, double Mean, bool Flag)> numbers = [];
        private readonly List<(string Name, List<string?> Categories)> labels = [];

        public FeatureEncoder(Table train, string target)
        {
            foreach (var column in train.Columns.Where(c => c.Name != target && c.Kind != ColumnKind.Id))
            {
                if (column.Numbers is { } values)
                {
                    var present = values.Where(double.IsFinite).ToArray();
                    numbers.Add((column.Name, present.Length == 0 ? 0 : present.Average(), present.Length < values.Length));
                }
                else labels.Add((column.Name, column.Labels!.Distinct().ToList()));
            }
            Width = Math.Max(1, numbers.Sum(n => n.Flag ? 2 : 1) + labels.Sum(l => l.Categories.Count));
        }

        public int Width { get; }

        public List<FeatureRow> Rows(Table table, string target, bool classification, bool dropMissingTarget)
        {
            var targetColumn = table.Column(target)!;
            var result = new List<FeatureRow>();
            for (int i = 0; i < table.RowCount; i++)
            {
                if (dropMissingTarget && targetColumn.IsMissing(i)) continue;
                var features = new float[Width];
                int at = 0;
                foreach (var (name, mean, flag) in numbers)
                {
                    double v = table.Column(name)!.Numbers![i];
                    features[at++] = (float)(double.IsNaN(v) ? mean : v);
                    if (flag) features[at++] = double.IsNaN(v) ? 1 : 0;
                }
                foreach (var (name, categories) in labels)
                {
                    int k = categories.IndexOf(table.Column(name)!.Labels![i]);
                    if (k >= 0) features[at + k] = 1;
                    at += categories.Count;
                }
                result.Add(classification
                    ? new FeatureRow { Features = features, Class = targetColumn.Labels![i]! }
                    : new FeatureRow { Features = features, Value = (float)targetColumn.Numbers![i] });
            }
            return result;
        }
    }
}
