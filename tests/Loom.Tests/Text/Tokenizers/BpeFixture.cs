using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Text.Tokenizers;

/// <summary>tests/fixtures/tokenizers/bytelevel-bpe: an HF tokenizer.json and the cases HF tokenizers 0.23.2 produced for it.</summary>
internal static class BpeFixture
{
    public static string TokenizerPath => RepoPaths.Fixture("tokenizers/bytelevel-bpe/tokenizer.json");

    public sealed record Case(string Text, int[] Ids, string[] Tokens, string Decoded);

    public static IReadOnlyList<Case> Cases { get; } = LoadCases();

    /// <summary>Case indices as xunit theory data.</summary>
    public static TheoryData<int> Indices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Cases.Count; i++)
            data.Add(i);
        return data;
    }

    private static List<Case> LoadCases()
    {
        var root = JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("tokenizers/bytelevel-bpe/reference.json")))!;
        return root["cases"]!.AsArray().Select(c => new Case(
            c!["text"]!.GetValue<string>(),
            c["ids"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray(),
            c["tokens"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray(),
            c["decoded"]!.GetValue<string>())).ToList();
    }
}
