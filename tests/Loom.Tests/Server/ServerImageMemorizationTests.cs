using System.Net;
using System.Text.Json.Nodes;
using Loom.IO.Images;
using Loom.Safety;
using Loom.Safety.Images;
using Loom.Server;
using Loom.Tests.Support;
using Loom.Watermarks.Images;
using Xunit;

namespace Loom.Tests.Server;

/// <summary>The near-copy check on served images: a generated image that copies a training image comes back flagged with
/// <c>loom_moderation</c> naming it, and without its pixels when the action is block.</summary>
public class ServerImageMemorizationTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-server-image-memorization");

    private static JsonObject Request(string path) => path == "/v1/images/generations"
        ? new JsonObject { ["model"] = TinyServedModels.Gan, ["prompt"] = "a shirt", ["n"] = 2, ["seed"] = 4 }
        : new JsonObject { ["model"] = TinyServedModels.Gan, ["n"] = 2, ["seed"] = 4 };

    private static JsonArray Items(JsonObject body) => (body["data"] ?? body["images"])!.AsArray();

    private async Task<JsonObject> GenerateAsync(string path, string? trainingImages, ModerationAction action)
    {
        await using var server = await ServerHarness.StartAsync(store =>
        {
            TinyServedModels.SaveAll(store);
            return new LoomServerOptions
            {
                ModelsFolder = store, Port = 0, ImageWatermark = new ImageWatermarkOptions { Enabled = trainingImages is not null },
                ImageMemorizationData = trainingImages,
                ImageMemorization = new ImageMemorizationOptions { Threshold = 0.05, Action = action },
            };
        });
        var (status, body, _) = await server.PostAsync(path, Request(path));
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return body.AsObject();
    }

    [Theory]
    [InlineData("/v1/images/generations")]
    [InlineData("/v1/loom/sample")]
    public async Task CopiesOfTrainingImagesAreFlaggedOrWithheld(string path)
    {
        // The "training set" is the model's own unmarked output, so the same seed reproduces near-copies of it.
        var plain = await GenerateAsync(path, null, ModerationAction.Flag);
        var folder = Directory.CreateDirectory(Path.Combine(work, "seen")).FullName;
        var items = Items(plain);
        for (int i = 0; i < items.Count; i++)
            File.WriteAllBytes(Path.Combine(folder, $"copy{i}.png"), Convert.FromBase64String((string)items[i]!["b64_json"]!));

        var flagged = Items(await GenerateAsync(path, folder, ModerationAction.Flag));
        for (int i = 0; i < 2; i++)
        {
            var review = flagged[i]!["loom_moderation"]!;
            Assert.False((bool)review["withheld"]!);
            Assert.NotNull(flagged[i]!["b64_json"]);
            var flag = review["flags"]![0]!;
            Assert.Equal(ContentCategories.Memorization, (string)flag["category"]!);
            Assert.Equal($"copy{i}.png", (string)flag["training_name"]!);
            Assert.InRange((double)flag["distance"]!, 0, 0.05);
        }

        var blocked = Items(await GenerateAsync(path, folder, ModerationAction.Block));
        Assert.Equal(2, blocked.Count);
        Assert.All(blocked, item =>
        {
            Assert.Null(item!["b64_json"]);
            Assert.True((bool)item["loom_moderation"]!["withheld"]!);
        });
    }

    [Fact]
    public async Task ImagesOfAnotherSizeAreNotChecked()
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, "other")).FullName;
        using (var scope = TorchSharp.torch.NewDisposeScope())
            for (int i = 0; i < 3; i++)
                Png.Write(Path.Combine(folder, $"{i}.png"), TorchSharp.torch.full([1, 9, 9], 0.1 * i));
        var items = Items(await GenerateAsync("/v1/images/generations", folder, ModerationAction.Block));
        Assert.All(items, item => Assert.Null(item!["loom_moderation"]));
        Assert.All(items, item => Assert.NotNull(item!["b64_json"]));
    }
}
