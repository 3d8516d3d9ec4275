using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Language;
using Loom.Text.Generation;
using Loom.Server;
using Loom.Text.Watermarks;

namespace Loom.Tests.Server;

/// <summary>A server started with a watermark (<c>loom serve --watermark-key</c>) watermarks every completion: the
/// detector finds it in the returned text, the text is what the decoding engine gives with the same watermark, and a
/// server without one returns text the detector passes.</summary>
public sealed class ServerWatermarkTests
{
    private static readonly WatermarkOptions Watermark = new() { Key = "server secret", Gamma = 0.25, Delta = 2.0 };

    private static async Task<string> CompleteAsync(WatermarkOptions? watermark)
    {
        await using var server = await ServerHarness.StartAsync(store =>
            new LoomServerOptions { ModelsFolder = store, Port = 0, NoAuth = true, Watermark = watermark });
        var (status, body, _) = await server.PostAsync("/v1/completions", new JsonObject
        {
            ["model"] = "tiny", ["prompt"] = "hello", ["max_tokens"] = 55, ["temperature"] = 1, ["seed"] = 3,
        });
        Assert.True(200 == (int)status, body.ToJsonString());
        var text = body["choices"]![0]!["text"]!.GetValue<string>();

        using var model = Checkpoint.Load(server.ModelFolder);
        var lm = model.GetService<ITextGenerationModel>()!;
        var settings = lm.DefaultSettings(55);
        settings.DoSample = true;
        settings.Seed = 3;
        settings.Watermark = watermark;
        Assert.Equal(lm.CreateGenerator().Generate(["hello"], settings)[0].Text, text);
        return text;
    }

    [Fact]
    public async Task Every_completion_of_a_watermarking_server_carries_the_watermark()
    {
        using var tiny = Loom.Tests.AI.TinyChatModel.Create();
        var detector = new WatermarkDetector(Watermark, tiny.Tokenizer);
        var marked = detector.Detect(await CompleteAsync(Watermark));
        Assert.True(marked.IsWatermarked, marked.ToString());
        var plain = detector.Detect(await CompleteAsync(null));
        Assert.True(Math.Abs(plain.ZScore) < 3, plain.ToString());
    }
}
