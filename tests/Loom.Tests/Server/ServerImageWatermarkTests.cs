using System.Net;
using System.Text.Json.Nodes;
using Loom.IO.Images;
using Loom.Server;
using Loom.Watermarks.Images;
using Xunit;

namespace Loom.Tests.Server;

/// <summary>The invisible watermark on <c>/v1/images/generations</c>: on by default, with the server's key, and off on request.</summary>
public class ServerImageWatermarkTests
{
    private static async Task<IReadOnlyList<ImageWatermarkDetection>> GenerateAndDetectAsync(ImageWatermarkOptions? serverWatermark,
        ImageWatermarkOptions detectWith)
    {
        await using var server = await ServerHarness.StartAsync(store =>
        {
            TinyServedModels.SaveAll(store);
            return serverWatermark is null
                ? new LoomServerOptions { ModelsFolder = store, Port = 0 }
                : new LoomServerOptions { ModelsFolder = store, Port = 0, ImageWatermark = serverWatermark };
        });
        var (status, body, _) = await server.PostAsync("/v1/images/generations", new JsonObject
        {
            ["model"] = TinyServedModels.Gan, ["prompt"] = "a shirt", ["n"] = 2, ["seed"] = 4,
        });
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(serverWatermark?.Enabled ?? true, (bool)body["watermark"]!);
        var detector = new ImageWatermarkDetector(detectWith);
        return body["data"]!.AsArray().Select(d =>
        {
            using var image = Png.Decode(Convert.FromBase64String((string)d!["b64_json"]!));
            return detector.Detect(image);
        }).ToList();
    }

    [Fact]
    public async Task Generated_images_carry_the_default_mark()
    {
        var results = await GenerateAndDetectAsync(null, new ImageWatermarkOptions());
        Assert.All(results, r => Assert.True(r.Detected, $"{r.MatchingBits}/{r.PayloadBits} bits"));
    }

    [Fact]
    public async Task The_servers_key_marks_them_and_off_leaves_them_clean()
    {
        var key = new ImageWatermarkOptions { Key = "server key" };
        var keyed = await GenerateAndDetectAsync(key, key);
        Assert.All(keyed, r => Assert.True(r.Detected));
        var off = await GenerateAndDetectAsync(new ImageWatermarkOptions { Enabled = false }, new ImageWatermarkOptions());
        Assert.All(off, r => Assert.False(r.Detected, $"{r.MatchingBits}/{r.PayloadBits} bits"));
    }
}
