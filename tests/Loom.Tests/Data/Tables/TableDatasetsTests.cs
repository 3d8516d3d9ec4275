using Loom.Core;
using Loom.Data.Tables;
using Loom.Tests.Support;

namespace Loom.Tests.Data.Tables;

/// <summary>A fact that runs only when the Debian package of a table data set is installed (build/setup.sh --tests installs it).</summary>
public sealed class TablePackageFactAttribute : FactAttribute
{
    public TablePackageFactAttribute(string name)
    {
        var source = TableDatasets.Find(name)!;
        if (!TableDatasets.PackageInstalled(source))
            Skip = $"{source.Package} not installed (build/setup.sh --tests)";
    }
}

/// <summary>
/// The table data sets written from their Debian packages, read with their metadata; a missing package named in one line.
/// </summary>
public sealed class TableDatasetsTests : IDisposable
{
    private readonly TempFolder work = new();

    public void Dispose() => work.Dispose();

    private Table Write(string name)
    {
        var files = TableDatasets.WriteTo(TableDatasets.Find(name)!, work.Path);
        Assert.Equal([work.File(name + ".csv"), work.File(name + ".metadata.json")], files);
        return Table.Read(files[0], files[1]);
    }

    [TablePackageFact("diamonds")]
    public void DiamondsKeepRsOrderedFactorLevels()
    {
        var table = Write("diamonds");
        Assert.Equal(53940, table.RowCount);
        Assert.Equal(["Fair", "Good", "Very Good", "Premium", "Ideal"], table.Metadata.Find("cut")!.Values);
        Assert.Equal(ColumnKind.Ordinal, table.Metadata.Find("clarity")!.Kind);
        Assert.Equal(ColumnKind.Integer, table.Metadata.Find("price")!.Kind);
        Assert.Equal(ColumnKind.Numeric, table.Metadata.Find("carat")!.Kind);
    }

    [TablePackageFact("fair")]
    public void FairHasItsOccupationsAsCategories()
    {
        var table = Write("fair");
        Assert.Equal(6366, table.RowCount);
        Assert.Equal(ColumnKind.Categorical, table.Metadata.Find("occupation")!.Kind);
        Assert.Equal(ColumnKind.Numeric, table.Metadata.Find("affairs")!.Kind);
    }

    [TablePackageFact("seattle-weather")]
    public void SeattleWeatherHasDatesAndWeatherTypes()
    {
        var table = Write("seattle-weather");
        Assert.Equal(1461, table.RowCount);
        Assert.Equal("yyyy/MM/dd", table.Metadata.Find("date")!.DatetimeFormat);
        Assert.Equal(ColumnKind.Categorical, table.Metadata.Find("weather")!.Kind);
        Assert.Contains("sun", table.Column("weather")!.Labels!);
    }

    [Fact]
    public void AMissingPackageIsNamedInOneLine()
    {
        var absent = new TableDatasets.Source("fair", "python3-statsmodels", "", "", work.File("no-such.csv"));
        var e = Assert.Throws<LoomDataException>(() => TableDatasets.WriteTo(absent, work.Path));
        Assert.Contains("apt-get install python3-statsmodels", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
