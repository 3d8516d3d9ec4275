using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data.Tables;
using static TorchSharp.torch;

namespace Loom.Models.Tabular;

/// <summary>
/// SDV's Gaussian copula synthesizer for one table: each column maps to a standard normal coordinate (numbers through
/// their fitted marginal, labels through their frequency intervals, <see cref="CopulaColumn"/>), the coordinates'
/// correlation is estimated, and sampling draws correlated normals and maps them back. Missing-value rates are kept,
/// numbers keep their type, rounding and range, ids are regenerated. <see cref="TableConditions"/> in a request fix
/// column values by conditioning the Gaussian (<see cref="GaussianConditioning"/>).
/// </summary>
public sealed class GaussianCopula : IGenerativeModel, ITableGenerator
{
    public const string KindName = "copula";

    public GaussianCopula(TableMetadata metadata, IReadOnlyList<CopulaColumn> columns, double[,] correlation, int trainingRows)
    {
        Metadata = metadata;
        Columns = columns;
        Correlation = correlation;
        TrainingRows = trainingRows;
        Dimensions = columns.Select((c, i) => (c, i)).Where(x => x.c.Modelled).Select(x => x.i).ToList();
        if (correlation.GetLength(0) != Dimensions.Count || correlation.GetLength(1) != Dimensions.Count)
            throw new LoomDataException($"copula: the correlation matrix is {correlation.GetLength(0)}×{correlation.GetLength(1)}, "
                + $"the table has {Dimensions.Count} modelled columns");
    }

    public string Kind => KindName;
    public TableMetadata Metadata { get; }
    public IReadOnlyList<CopulaColumn> Columns { get; }
    /// <summary>Correlations of the modelled columns' normal coordinates (in column order, ids left out).</summary>
    public double[,] Correlation { get; }
    public int TrainingRows { get; }
    /// <summary>The column index of each copula dimension.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>
    /// Fits the copula to <paramref name="table"/>; <paramref name="marginals"/> is <c>auto</c> or one distribution for every number
    /// column.
    /// </summary>
    public static GaussianCopula Fit(Table table, string marginals, long seed)
    {
        var columns = table.Columns.Select(c => CopulaColumn.Fit(c, marginals)).ToList();
        var dims = columns.Select((c, i) => (c, i)).Where(x => x.c.Modelled).Select(x => x.i).ToList();
        var random = new Random(SeedOf(seed));
        var z = new double[table.RowCount][];
        for (int row = 0; row < table.RowCount; row++)
        {
            z[row] = new double[dims.Count];
            for (int k = 0; k < dims.Count; k++)
            {
                double u = columns[dims[k]].ToUniform(table.Columns[dims[k]], row, random);
                z[row][k] = double.IsNaN(u) ? double.NaN : Distributions.NormalQuantile(Math.Clamp(u, 1e-9, 1 - 1e-9));
            }
        }
        return new GaussianCopula(table.Metadata, columns, CorrelationMatrix.Estimate(z, dims.Count), table.RowCount);
    }

    public SampleSet Sample(SampleRequest request)
    {
        if (request.Count < 1)
            throw LoomUsageException.ForOption("Count", $"must be at least 1, got {request.Count}");
        if (!(request.Temperature > 0))
            throw LoomUsageException.ForOption("Temperature", $"must be positive, got {request.Temperature}");
        var random = new Random(SeedOf(request.Seed));
        var (conditions, fixedValues) = ResolveConditions(request.Get<TableConditions>());
        var z = GaussianConditioning.Sample(Correlation, conditions, request.Count, random, request.Temperature);
        var output = new List<TableColumn>();
        for (int j = 0; j < Columns.Count; j++)
        {
            var column = Columns[j];
            int k = DimensionOf(j);
            fixedValues.TryGetValue(j, out var fixedValue);
            output.Add(column.Spec.Kind == ColumnKind.Id
                ? new TableColumn(column.Spec, null, Enumerable.Range(0, request.Count)
                    .Select(i => column.IntegerIds
                        ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{column.Spec.Name}_{i}")
                    .ToArray())
                : Reverse(column, z.Select(row => Distributions.NormalCdf(row[k])).ToArray(), fixedValue, random));
        }
        return new TableSamples(new Table(Metadata, output));
    }

    private static TableColumn Reverse(CopulaColumn column, double[] u, object? fixedValue, Random random)
    {
        if (column.Categories is not null)
            return new TableColumn(column.Spec, null, u.Select(v => fixedValue is string s ? s : column.LabelFrom(v)).ToArray());
        var numbers = new double[u.Length];
        for (int i = 0; i < u.Length; i++)
        {
            bool missing = fixedValue is null && column.MissingRate > 0 && random.NextDouble() < column.MissingRate;
            numbers[i] = missing ? double.NaN : fixedValue is double x ? x : column.NumberFrom(u[i]);
        }
        return new TableColumn(column.Spec, numbers, null, column.Decimals);
    }

    /// <summary>Each condition as a normal-space condition, and the exact value each conditioned column gets.</summary>
    private (List<NormalCondition>, Dictionary<int, object>) ResolveConditions(TableConditions? requested)
    {
        var conditions = new List<NormalCondition>();
        var values = new Dictionary<int, object>();
        foreach (var condition in ColumnCondition.ResolveAll(Columns, requested))
        {
            int j = condition.Column, k = DimensionOf(j);
            var column = Columns[j];
            if (!condition.IsNumber)
            {
                var (low, high) = column.Interval(condition.Category);
                conditions.Add(new NormalCondition(k, Distributions.NormalQuantile(low), Distributions.NormalQuantile(high)));
                values[j] = condition.Text;
                continue;
            }
            double z = Distributions.NormalQuantile(Math.Clamp(column.Marginal!.Cdf(condition.Number), 1e-9, 1 - 1e-9));
            conditions.Add(new NormalCondition(k, z, z));
            values[j] = condition.Number;
        }
        return (conditions, values);
    }

    private int DimensionOf(int column)
    {
        for (int k = 0; k < Dimensions.Count; k++)
            if (Dimensions[k] == column) return k;
        return -1;
    }

    /// <summary>A 32-bit <see cref="Random"/> seed from a 64-bit one.</summary>
    public static int SeedOf(long seed) => unchecked((int)(seed ^ (seed >> 32)));

    public JsonObject GetConfig() => new()
    {
        ["metadata"] = Metadata.ToJson(),
        ["rows"] = TrainingRows,
        ["dimensions"] = Dimensions.Count,
        ["columns"] = new JsonArray(Columns.Select(c => (JsonNode)c.ToJson()).ToArray()),
    };

    public IReadOnlyDictionary<string, Tensor> GetState()
    {
        int d = Dimensions.Count;
        return new Dictionary<string, Tensor>
        {
            ["correlation"] = tensor(CorrelationMatrix.Flatten(Correlation), [d, d], ScalarType.Float64),
        };
    }

    public void Dispose() { }
}
