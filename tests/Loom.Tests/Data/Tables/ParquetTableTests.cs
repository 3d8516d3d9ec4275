using Loom.Core;
using Loom.Data.Tables;
using Loom.Tests.Models.Tabular;
using Loom.Tests.Support;
using Parquet;
using Parquet.Schema;

namespace Loom.Tests.Data.Tables;

/// <summary>
/// Parquet tables: a mixed-type table with missing values round-trips through Loom's writer; a file written with
/// Parquet.Net's own low-level API and an explicit schema (pyarrow and pandas are not on this machine) reads with the
/// right kinds, values and missing cells; the CLI samples to .parquet and trains from it; a bad file is one line.
/// </summary>
public sealed class ParquetTableTests : IDisposable
{
    private readonly TempFolder work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public void MixedTableWithMissingValuesRoundTrips()
    {
        var table = CopulaFixtures.GaussianTable(120, 5);
        var labels = table.Column("level")!.Labels!.ToArray();
        labels[3] = null;
        var withMissingLabel = new Table(table.Metadata, table.Columns.Select(c => c.Name == "level"
            ? new TableColumn(c.Spec, null, labels) : c).ToList());
        Assert.Contains(withMissingLabel.Column("x")!.Numbers!, double.IsNaN);
        withMissingLabel.Write(work.File("t.parquet"));
        var back = Table.Read(work.File("t.parquet"));
        Assert.Equal(withMissingLabel.Columns.Select(c => (c.Name, c.Kind)), back.Columns.Select(c => (c.Name, c.Kind)));
        Assert.Equal(withMissingLabel.ToCsv(), back.ToCsv());
        Assert.Null(back.Column("level")!.Labels![3]);
    }

    [Fact]
    public async Task ReadsAFileWrittenWithAnExplicitSchema()
    {
        var schema = new ParquetSchema(new DataField<int>("count"), new DataField<double?>("price"), new DataField<string>("color", true),
            new DataField<bool?>("sold"), new DataField<DateTime?>("when"), new DataField<float>("weight"));
        await using (var stream = File.Create(work.File("other.parquet")))
        {
            await Write(schema, stream);
        }
        var table = Table.Read(work.File("other.parquet"));
        Assert.Equal([ColumnKind.Integer, ColumnKind.Numeric, ColumnKind.Categorical, ColumnKind.Boolean, ColumnKind.Datetime,
            ColumnKind.Numeric], table.Columns.Select(c => c.Kind));
        Assert.Equal(new double[] { 3, 1, 4, 1, 5, 9 }, table.Column("count")!.Numbers!);
        Assert.True(double.IsNaN(table.Column("price")!.Numbers![2]));
        Assert.Equal(2.5, table.Column("price")!.Numbers![1]);
        Assert.Null(table.Column("color")!.Labels![4]);
        Assert.Equal("red", table.Column("color")!.Labels![0]);
        Assert.Null(table.Column("sold")!.Labels![5]);
        Assert.Equal("yyyy-MM-dd", table.Column("when")!.Spec.DatetimeFormat);
        Assert.Equal("2024-03-02", table.Column("when")!.Format(1));
        Assert.True(table.Column("when")!.IsMissing(3));
        Assert.Equal(0.25, table.Column("weight")!.Numbers![0]);
    }

    private static async Task Write(ParquetSchema schema, Stream stream)
    {
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        var fields = schema.GetDataFields();
        await group.WriteAsync(fields[0], new ReadOnlyMemory<int>([3, 1, 4, 1, 5, 9]));
        await group.WriteAsync(fields[1], new ReadOnlyMemory<double?>([1.0, 2.5, null, 4.25, 8.0, 3.5]));
        await group.WriteAsync(fields[2], new string?[] { "red", "blue", "red", "green", null, "blue" });
        await group.WriteAsync(fields[3], new ReadOnlyMemory<bool?>([true, false, true, true, false, null]));
        var day = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        await group.WriteAsync(fields[4], new ReadOnlyMemory<DateTime?>([day, day.AddDays(1), day.AddDays(2), null, day.AddDays(4),
            day.AddDays(5)]));
        await group.WriteAsync(fields[5], new ReadOnlyMemory<float>([0.25f, 0.5f, 0.75f, 1f, 1.25f, 1.5f]));
    }

    [Fact]
    public void CliSamplesToParquetAndTrainsFromIt()
    {
        File.WriteAllText(work.File("train.csv"), CopulaFixtures.GaussianCsv(300, 2));
        Assert.Equal(0, CliRunner.Run(work.Path, "train", "copula", "--data", "train.csv", "--out", "run").ExitCode);
        var sample = CliRunner.Run(work.Path, "sample", "run", "--n", "80", "--seed", "4", "--out", "synth.parquet");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.Equal(0, CliRunner.Run(work.Path, "sample", "run", "--n", "80", "--seed", "4", "--out", "synth.csv").ExitCode);
        Assert.Equal(File.ReadAllText(work.File("synth.csv")), Table.Read(work.File("synth.parquet")).ToCsv());
        var again = CliRunner.Run(work.Path, "train", "copula", "--data", "synth.parquet", "--out", "run2");
        Assert.True(again.ExitCode == 0, again.ToString());
        var eval = CliRunner.Run(work.Path, "eval", "synth.csv", "--data", "synth.parquet", "--out", "report");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("column_shapes", eval.Stdout);
    }

    [Fact]
    public void BadFileIsOneLine()
    {
        File.WriteAllText(work.File("bad.parquet"), "not parquet at all, just text");
        var error = Assert.Throws<LoomDataException>(() => Table.Read(work.File("bad.parquet")));
        Assert.Contains("not a readable Parquet file", error.Message);
        CliAssert.OneLineError(CliRunner.Run(work.Path, "train", "copula", "--data", "bad.parquet", "--out", "run"), 1,
            "bad.parquet: not a readable Parquet file");
    }
}
