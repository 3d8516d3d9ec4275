using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Server;
using Loom.Tests.AI;
using Loom.Tests.Support;
using Loom.Text.Generation;
using Loom.Text.Serving;

namespace Loom.Tests.Server;

/// <summary>
/// <c>LoomServerOptions.Drafts</c> (<c>loom serve --draft MODEL=DIR</c>): the model's text requests decode speculatively
/// with the draft, so a greedy completion is exactly the model's own greedy continuation; the draft loads and unloads
/// with the model; bad drafts are refused naming the option, and the CLI refuses a malformed pair in one line.
/// </summary>
public sealed class ServerSpeculativeTests
{
    [Fact]
    public async Task A_greedy_completion_with_a_draft_is_the_models_own_greedy_continuation()
    {
        using var draftFolder = new TempFolder();
        using (var draft = TinyChatModel.Create(seed: 9))   // same tokenizer, other weights: it proposes, the model decides
            Checkpoint.Save(draftFolder.Path, draft, new ModelCard());
        await using var server = await ServerHarness.StartAsync(store => new LoomServerOptions
        {
            ModelsFolder = store, Port = 0, DraftTokens = 3,
            Drafts = new Dictionary<string, string> { [ServerHarness.Model] = draftFolder.Path },
        });
        var (status, body, _) = await server.PostAsync("/v1/completions", new JsonObject
        {
            ["model"] = ServerHarness.Model, ["prompt"] = "hello wor", ["max_tokens"] = 16, ["temperature"] = 0,
        });
        Assert.Equal(200, (int)status);

        using var model = Checkpoint.Load(server.ModelFolder);
        var text = model.GetService<ITextGenerationModel>()!;
        var settings = text.DefaultSettings(16);
        settings.DoSample = false;
        var expected = text.CreateGenerator().Generate(["hello wor"], settings)[0];
        Assert.Equal(expected.Text, body["choices"]![0]!["text"]!.GetValue<string>());
        var loaded = Assert.Single(server.Server.State.Store.Loaded);
        Assert.NotNull(loaded.Draft);
        Assert.IsType<SerialCompletionEngine>(loaded.EngineIfCreated);
    }

    [Fact]
    public void A_draft_for_a_missing_model_or_zero_draft_tokens_is_refused_naming_the_option()
    {
        using var store = new TempFolder();
        var missing = new LoomServerOptions
        {
            ModelsFolder = store.Path, Port = 0, Drafts = new Dictionary<string, string> { ["absent"] = store.Path },
        };
        var error = Assert.Throws<Loom.Core.LoomUsageException>(missing.Validate);
        Assert.Contains(nameof(LoomServerOptions.Drafts), error.Message);
        var zero = new LoomServerOptions { ModelsFolder = store.Path, Port = 0, DraftTokens = 0 };
        Assert.Contains(nameof(LoomServerOptions.DraftTokens), Assert.Throws<Loom.Core.LoomUsageException>(zero.Validate).Message);
    }

    [Fact]
    public void Loom_serve_refuses_a_draft_that_is_not_model_equals_folder_in_one_line()
    {
        using var store = new TempFolder();
        var result = CliRunner.Run(store.Path, "serve", "--models", store.Path, "--no-auth", "--draft", "tiny");
        CliAssert.OneLineError(result, 2, "--draft: 'tiny' is not MODEL=DIR");
    }
}
