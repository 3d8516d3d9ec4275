using System.Net;
using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.Adapters;
using Loom.Server;
using Loom.Tests.Adapters;
using Loom.Tests.Support;
using Loom.Watermarks.Images;
using TorchSharp;

namespace Loom.Tests.Server;

/// <summary>
/// <c>LoomServerOptions.Adapters</c> on a U-Net diffusion model: <c>/v1/images/generations</c> samples the adapted model,
/// so its images equal those of a checkpoint with the same adapter merged into the weights, and differ from the base model's.
/// </summary>
public sealed class ServerDiffusionAdapterTests
{
    private const string Adapted = "unet", Merged = "unet-merged", Base = "unet-base";

    [Fact]
    public async Task Served_images_come_from_the_adapted_U_Net()
    {
        using var adapterFolder = new TempFolder();
        await using var server = await ServerHarness.StartAsync(store =>
        {
            SaveModels(store, adapterFolder.Path);
            return new LoomServerOptions
            {
                ModelsFolder = store, Port = 0, ImageWatermark = new ImageWatermarkOptions { Enabled = false },
                Adapters = new Dictionary<string, string> { [Adapted] = adapterFolder.Path },
            };
        });
        var adapted = await GenerateAsync(server, Adapted);
        var merged = await GenerateAsync(server, Merged);
        var baseline = await GenerateAsync(server, Base);
        Assert.Equal(adapted.Count, merged.Count);
        for (int i = 0; i < adapted.Count; i++)
        {
            Assert.True(MaxDiff(adapted[i], merged[i]) <= 1.5 / 255, $"image {i}: adapter vs merged {MaxDiff(adapted[i], merged[i])}");
            Assert.True(MaxDiff(adapted[i], baseline[i]) > 4.0 / 255, $"image {i}: the adapter should change the image");
        }
    }

    /// <summary>The base U-Net three times: as is (with the adapter applied by the server), merged with the adapter, and plain.</summary>
    private static void SaveModels(string store, string adapterFolder)
    {
        using (var model = UNetLoraTests.CreateModel())
        {
            Checkpoint.Save(Path.Combine(store, Adapted), model, new ModelCard());
            Checkpoint.Save(Path.Combine(store, Base), model, new ModelCard());
            using var adapters = LoraNetworks.Create(model);
            adapters.Add(LoraAdapters.DefaultName, new LoraConfig { Rank = 2, Alpha = 6 });
            LoraAdaptersTests.Randomize(adapters, LoraAdapters.DefaultName, 5);
            LoraAdapterFiles.Save(adapters, LoraAdapters.DefaultName, adapterFolder);
            adapters.Merge();
            Checkpoint.Save(Path.Combine(store, Merged), model, new ModelCard());
        }
        using var reloaded = Checkpoint.Load(Path.Combine(store, Merged));
        using var plain = Checkpoint.Load(Path.Combine(store, Base));
        Assert.Equal(ParameterCount(plain), ParameterCount(reloaded));   // merged weights only, no adapter tensors
    }

    private static long ParameterCount(IGenerativeModel model) =>
        LoraNetworks.NetworkOf(model).parameters().Sum(p => p.numel());

    private static async Task<List<float[]>> GenerateAsync(ServerHarness server, string model)
    {
        var (status, body, _) = await server.PostAsync("/v1/images/generations", new JsonObject
        {
            ["model"] = model, ["prompt"] = "one", ["n"] = 2, ["seed"] = 4,
        });
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return body["data"]!.AsArray().Select(d =>
        {
            using var image = Png.Decode(Convert.FromBase64String((string)d!["b64_json"]!));
            using var scaled = image.to(torch.ScalarType.Float32) / 255;   // uint8 → [0, 1]
            return scaled.flatten().data<float>().ToArray();
        }).ToList();
    }

    private static double MaxDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
}
