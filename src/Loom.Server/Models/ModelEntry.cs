using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Language;
using Loom.Models.Language.HuggingFace;

namespace Loom.Server.Models;

/// <summary>
/// A model in the store as <c>GET /v1/models</c> lists it, read from its config.json without loading the weights:
/// its id (folder name), kind, what it can serve, when its folder was written and the bytes of its weight files.
/// </summary>
public sealed record ModelEntry(string Id, string Folder, string Kind, IReadOnlyList<string> Capabilities, DateTimeOffset Created,
    long WeightBytes)
{
    public const string ChatCapability = "chat.completions";
    public const string CompletionsCapability = "completions";
    public const string EmbeddingsCapability = "embeddings";

    /// <summary>The entry for <paramref name="folder"/>, or null when it holds no readable model config.</summary>
    public static ModelEntry? Read(string folder)
    {
        if (!File.Exists(Path.Combine(folder, Checkpoint.ConfigFile)))
            return null;
        try
        {
            var (kind, capabilities) = HfModelFolder.Recognizes(folder)
                ? (HfModelFolder.KindOf(HfModelFolder.Inspect(folder).Config), Text(embeddings: true))
                : Describe(Checkpoint.ReadConfig(folder));
            long bytes = Directory.EnumerateFiles(folder, "*.safetensors").Where(f => !Path.GetFileName(f).StartsWith("trainer-state",
                StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
            var created = new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(folder, Checkpoint.ConfigFile)), TimeSpan.Zero);
            return new ModelEntry(Path.GetFileName(folder), folder, kind, capabilities, created, bytes);
        }
        catch (Loom.Core.LoomException)
        {
            return null;
        }
    }

    private static (string, IReadOnlyList<string>) Describe((string Kind, System.Text.Json.Nodes.JsonObject Config) config)
    {
        var kind = config.Kind;
        ModelRegistry.TryGet(kind, out var family);
        return family switch
        {
            ITextModelFamily text => (kind, Text(text.Embeds)),
            _ when Images.ImageModels.FromConfig(kind, config.Config) => (kind, [Images.ImageModels.Capability]),
            _ when Sampling.AudioModels.FromKind(kind) => (kind, [Sampling.AudioModels.Capability]),
            _ => (kind, []),
        };
    }

    private static IReadOnlyList<string> Text(bool embeddings) =>
        embeddings ? [ChatCapability, CompletionsCapability, EmbeddingsCapability] : [ChatCapability, CompletionsCapability];
}
