using Loom.Core;
using Loom.Data.Tables;
using Loom.Tests.Support;

namespace Loom.Tests.Data.Tables;

/// <summary>Tables from CSV: type detection, metadata overrides, missing values, domain errors naming row and column, round trip.</summary>
public sealed class TableTests : IDisposable
{
    private readonly TempFolder work = new();

    private const string Csv = """
        id,price,rooms,city,member,built,note
        1,10.5,3,Oslo,True,2020-01-02,"a, quoted"
        2,,2,Lima,False,2021-03-04,
        3,7.25,NA,Oslo,true,2022-05-06,x
        """;

    public void Dispose() => work.Dispose();

    [Fact]
    public void DetectsEachKindMissingValuesAndThePrimaryKey()
    {
        var table = Table.Parse(Csv, "t.csv");
        var kinds = table.Metadata.Columns.ToDictionary(c => c.Name, c => c.Kind);
        Assert.Equal(ColumnKind.Id, kinds["id"]);
        Assert.Equal(ColumnKind.Numeric, kinds["price"]);
        Assert.Equal(ColumnKind.Integer, kinds["rooms"]);
        Assert.Equal(ColumnKind.Categorical, kinds["city"]);
        Assert.Equal(ColumnKind.Boolean, kinds["member"]);
        Assert.Equal(ColumnKind.Datetime, kinds["built"]);
        Assert.Equal("yyyy-MM-dd", table.Metadata.Find("built")!.DatetimeFormat);
        Assert.Equal("id", table.Metadata.PrimaryKey);
        Assert.True(double.IsNaN(table.Column("price")!.Numbers![1]));
        Assert.True(double.IsNaN(table.Column("rooms")!.Numbers![2]));
        Assert.Null(table.Column("note")!.Labels![1]);
        Assert.Equal("a, quoted", table.Column("note")!.Labels![0]);
        Assert.Equal(2, table.Column("price")!.Decimals);
    }

    [Fact]
    public void MetadataFileOverridesDetectedKindsAndDeclaresOrdinalLevels()
    {
        File.WriteAllText(work.File("m.json"), """
            {"columns": {"rooms": {"sdtype": "ordinal", "order": ["1", "2", "3"]}, "price": {"sdtype": "numerical", "max": 20}}}
            """);
        File.WriteAllText(work.File("t.csv"), Csv);
        var table = Table.Read(work.File("t.csv"), work.File("m.json"));
        Assert.Equal(ColumnKind.Ordinal, table.Metadata.Find("rooms")!.Kind);
        Assert.Equal(["1", "2", "3"], table.Metadata.Find("rooms")!.Values);
        Assert.Equal("3", table.Column("rooms")!.Labels![0]);
        Assert.Equal(ColumnKind.Categorical, table.Metadata.Find("city")!.Kind);
        // Saved metadata reads back the same.
        table.Metadata.Save(work.File("saved.json"));
        Assert.Equal(table.Metadata.ToJson().ToJsonString(), TableMetadata.Load(work.File("saved.json")).ToJson().ToJsonString());
    }

    [Theory]
    [InlineData("""{"columns": {"rooms": {"sdtype": "ordinal", "order": ["1", "2"]}}}""", "row 1, column 'rooms': '3' is not one of")]
    [InlineData("""{"columns": {"price": {"sdtype": "numerical", "max": 9}}}""", "row 1, column 'price': 10.5 is outside")]
    [InlineData("""{"columns": {"price": {"sdtype": "integer"}}}""", "row 1, column 'price': '10.5' is not a whole number")]
    [InlineData("""{"columns": {"city": {"sdtype": "boolean"}}}""", "row 1, column 'city': 'Oslo' is not a boolean")]
    [InlineData("""{"columns": {"built": {"sdtype": "datetime", "datetime_format": "dd.MM.yyyy"}}}""", "row 1, column 'built'")]
    [InlineData("""{"columns": {"nope": {"sdtype": "categorical"}}}""", "column 'nope' is not in the table")]
    [InlineData("""{"columns": {"city": {"sdtype": "colour"}}}""", "sdtype 'colour' is not one of")]
    [InlineData("""{"primary_key": "colour", "columns": {}}""", "primary_key 'colour' is not one of the columns")]
    [InlineData("""{"primary_key": "city", "columns": {}}""", "row 3, column 'city': primary key 'Oslo' repeats row 1")]
    public void ValuesOutsideTheDeclaredDomainAreRejectedNamingRowAndColumn(string metadata, string message)
    {
        File.WriteAllText(work.File("m.json"), metadata);
        File.WriteAllText(work.File("t.csv"), Csv);
        var e = Assert.Throws<LoomDataException>(() => Table.Read(work.File("t.csv"), work.File("m.json")));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void DuplicatePrimaryKeysAndRaggedRowsAreErrors()
    {
        var e = Assert.Throws<LoomDataException>(() => Table.Parse("id,x\n1,2\n1,3\n", "t.csv",
            TableMetadata.FromJson(System.Text.Json.Nodes.JsonNode.Parse("""{"primary_key": "id", "columns": {}}""")!.AsObject(), "m")));
        Assert.Contains("row 2, column 'id': primary key '1' repeats row 1", e.Message);
        var ragged = Assert.Throws<LoomDataException>(() => Table.Parse("a,b\n1,2\n1,2,3\n", "t.csv"));
        Assert.Contains("row 2 has 3 fields, the header 2", ragged.Message);
    }

    [Fact]
    public void WritingAndReadingBackKeepsEveryValue()
    {
        var table = Table.Parse(Csv, "t.csv");
        table.Write(work.File("out.csv"));
        var again = Table.Read(work.File("out.csv"), table.Metadata);
        Assert.Equal(table.ToCsv(), again.ToCsv());
        Assert.Contains("\"a, quoted\"", File.ReadAllText(work.File("out.csv")));
    }
}
