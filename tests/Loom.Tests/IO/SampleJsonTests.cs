using Loom.Core;
using Loom.Data.Tables;
using Loom.Models;
using Loom.Models.Mixture;
using TorchSharp;
using static TorchSharp.torch;
using Loom.Models.Tabular;
using Loom.IO;

namespace Loom.Tests.IO;

/// <summary><see cref="SampleJson"/>: tables as column names and rows of cells as the CSV has them (null for missing); points
/// with labels; sampling a model to JSON frees every tensor.</summary>
public sealed class SampleJsonTests
{
    [Fact]
    public void TableSamplesBecomeColumnsAndRows()
    {
        var table = Table.Parse("id,x,city\n1,2.5,Oslo\n2,,Lima\n", "t.csv");
        var json = SampleJson.ToJson(new TableSamples(table));
        Assert.Equal("table", (string?)json["type"]);
        Assert.Equal("""["id","x","city"]""", json["columns"]!.ToJsonString());
        Assert.Equal("""[["1","2.5","Oslo"],["2",null,"Lima"]]""", json["rows"]!.ToJsonString());
    }

    [Fact]
    public async Task A_model_sampled_to_json_gives_what_its_samples_convert_to()
    {
        using var x = torch.randn([200, 2], ScalarType.Float64, generator: Seeding.Generator(1, "points"));
        using var gmm = GaussianMixture.Fit(x, new GaussianMixtureOptions { Components = 2, Seed = 1 });
        var request = new SampleRequest { Count = 4, Seed = 9 };
        var json = await SampleJson.SampleAsync(gmm, request);
        Assert.Equal("points", (string?)json["type"]);
        Assert.Equal(4, json["points"]!.AsArray().Count);
        using var samples = (TensorSamples)gmm.Sample(request);
        Assert.Equal(SampleJson.ToJson(samples).ToJsonString(), json.ToJsonString());
    }
}
