using System.Text.Json.Nodes;
using Loom.Models;
using Loom.Server;
using Loom.Models.Adapters;
using Loom.Tests.AI;
using Loom.Tests.Adapters;
using Loom.Tests.Support;
using Loom.Text.Generation;

namespace Loom.Tests.Server;

/// <summary>
/// <c>LoomServerOptions.Adapters</c> (<c>loom serve --adapter MODEL=DIR</c>): the model is served with its LoRA adapter
/// applied, so a greedy completion equals the library's continuation with the same adapter loaded, and differs from the
/// base model's; an adapter for a missing model is refused at start-up.
/// </summary>
public sealed class ServerAdapterTests
{
    [Fact]
    public async Task A_served_adapter_gives_the_adapted_models_greedy_continuation()
    {
        using var adapterFolder = new TempFolder();
        SaveRandomAdapter(adapterFolder.Path);
        await using var server = await ServerHarness.StartAsync(store => new LoomServerOptions
        {
            ModelsFolder = store, Port = 0, Adapters = new Dictionary<string, string> { [ServerHarness.Model] = adapterFolder.Path },
        });
        var (status, body, _) = await server.PostAsync("/v1/completions", new JsonObject
        {
            ["model"] = ServerHarness.Model, ["prompt"] = "hello wor", ["max_tokens"] = 12, ["temperature"] = 0,
        });
        Assert.Equal(200, (int)status);
        string served = body["choices"]![0]!["text"]!.GetValue<string>();

        Assert.Equal(Greedy(server.ModelFolder, adapterFolder.Path), served);
        Assert.NotEqual(Greedy(server.ModelFolder, null), served);
    }

    [Fact]
    public void An_adapter_for_a_model_the_store_lacks_is_refused_naming_the_option()
    {
        using var store = new TempFolder();
        var options = new LoomServerOptions
        {
            ModelsFolder = store.Path, Port = 0, Adapters = new Dictionary<string, string> { ["absent"] = store.Path },
        };
        var error = Assert.Throws<Loom.Core.LoomUsageException>(options.Validate);
        Assert.Contains(nameof(LoomServerOptions.Adapters), error.Message);
        Assert.Contains("absent", error.Message);
    }

    /// <summary>The tiny chat model's adapter with random (non-zero) B matrices, so it changes the model's output.</summary>
    private static void SaveRandomAdapter(string folder)
    {
        using var model = TinyChatModel.Create();
        var transformer = LoraAdapterFiles.TransformerOf(model);
        using var adapters = new LoraAdapters(transformer);
        adapters.Add(LoraAdapters.DefaultName, new LoraConfig { Rank = 4, Alpha = 8 });
        LoraAdaptersTests.Randomize(adapters, LoraAdapters.DefaultName, 3);
        LoraAdapterFiles.Save(adapters, LoraAdapters.DefaultName, folder);
    }

    private static string Greedy(string modelFolder, string? adapter)
    {
        using var model = LoraAdapterFiles.LoadModel(modelFolder, adapter);
        var text = model.GetService<ITextGenerationModel>()!;
        var settings = text.DefaultSettings(12);
        settings.DoSample = false;
        return text.CreateGenerator().Generate(["hello wor"], settings)[0].Text;
    }
}
