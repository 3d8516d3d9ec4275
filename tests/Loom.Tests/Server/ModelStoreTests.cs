using System.Text.Json.Nodes;
using Loom.Server;
using Loom.Server.Models;
using Loom.Tests.AI;
using Loom.Text.Serving;

namespace Loom.Tests.Server;

/// <summary>
/// The model store: lists every model folder with its kind and capabilities, loads on first use, keeps at most
/// MaxModels (least recently used out), disposes an evicted model only once its last request ends, and takes ids that
/// are plain folder names only.
/// </summary>
public sealed class ModelStoreTests
{
    [Fact]
    public async Task Models_are_listed_with_kind_and_capabilities_and_the_least_recently_used_is_evicted()
    {
        await using var server = await ServerHarness.StartAsync(store => new LoomServerOptions
        {
            ModelsFolder = store, Port = 0, MaxModels = 1,
        });
        TinyChatModel.Save(Path.Combine(server.StorePath, "second"));
        Directory.CreateDirectory(Path.Combine(server.StorePath, "not-a-model"));
        var listing = JsonNode.Parse((await server.GetAsync("/v1/models")).Body)!;
        var models = listing["data"]!.AsArray();
        Assert.Equal(["second", "tiny"], models.Select(m => m!["id"]!.GetValue<string>()));
        Assert.All(models, m =>
        {
            Assert.Equal("model", m!["object"]!.GetValue<string>());
            Assert.Equal("llama", m["kind"]!.GetValue<string>());
            Assert.Equal(["chat.completions", "completions", "embeddings"],
                m["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()));
            Assert.False(m["loaded"]!.GetValue<bool>());
        });

        var store = server.Server.State.Store;
        var first = await store.AcquireAsync("tiny", CancellationToken.None);
        var engine = first.Model.Engine;
        using (var second = await store.AcquireAsync("second", CancellationToken.None))
        {
            Assert.Equal(["second"], store.Loaded.Select(m => m.Id));
            // Evicted but still held: it keeps serving its request.
            await foreach (var update in engine.CompleteAsync(new CompletionRequest([1, 2], Greedy(first))))
                Assert.True(update.CompletionTokens <= 2);
        }
        first.Dispose();   // the last request ends: now the evicted model and its engine are disposed
        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await foreach (var _ in engine.CompleteAsync(new CompletionRequest([1], Greedy(first)))) { }
        });
        var loaded = JsonNode.Parse((await server.GetAsync("/v1/models/second")).Body)!;
        Assert.True(loaded["loaded"]!.GetValue<bool>());
    }

    private static Loom.Text.Decoding.GenerationSettings Greedy(ModelLease lease)
    {
        var settings = lease.Model.RequireText().DefaultSettings(2);
        settings.DoSample = false;
        return settings;
    }

    [Theory]
    [InlineData("tiny", true)]
    [InlineData("Qwen3-0.6B_v1.5", true)]
    [InlineData("..", false)]
    [InlineData(".", false)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    [InlineData("/abs", false)]
    [InlineData(".git", false)]
    [InlineData("tiny\0", false)]
    [InlineData("mod el", false)]
    public void Model_ids_are_plain_folder_names(string id, bool valid) => Assert.Equal(valid, ModelIds.IsValid(id));
}
