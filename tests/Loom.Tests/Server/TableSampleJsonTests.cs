using Loom.Data.Tables;
using Loom.Models.Tabular;
using Loom.Server.Sampling;

namespace Loom.Tests.Server;

/// <summary>Table samples as the server's JSON: column names and rows of cells as the CSV has them, null for missing.</summary>
public sealed class TableSampleJsonTests
{
    [Fact]
    public void TableSamplesBecomeColumnsAndRows()
    {
        var table = Table.Parse("id,x,city\n1,2.5,Oslo\n2,,Lima\n", "t.csv");
        var json = SampleSetJson.ToJson(new TableSamples(table));
        Assert.Equal("table", (string?)json["type"]);
        Assert.Equal("""["id","x","city"]""", json["columns"]!.ToJsonString());
        Assert.Equal("""[["1","2.5","Oslo"],["2",null,"Lima"]]""", json["rows"]!.ToJsonString());
    }
}
