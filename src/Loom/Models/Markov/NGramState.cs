using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Markov;

/// <summary>
/// Tensor form of an n-gram model for safetensors: <c>vocab_codepoints</c> (I32) with <c>vocab_offsets</c> (I64,
/// size V+1), and the highest-order counts as <c>contexts</c> (I32 [entries, n-1]), <c>next</c> (I32) and
/// <c>counts</c> (I64). Lower orders are derived again on load, so nothing redundant is stored.
/// </summary>
internal static class NGramState
{
    public static IReadOnlyDictionary<string, Tensor> ToTensors(NGramModel model)
    {
        var codepoints = new List<int>();
        var offsets = new List<long> { 0 };
        foreach (var token in model.Vocabulary.Tokens)
        {
            foreach (var rune in token.EnumerateRunes()) codepoints.Add(rune.Value);
            offsets.Add(codepoints.Count);
        }
        int width = model.Options.Order - 1;
        var entries = model.Counts.TopEntries().ToList();
        var contexts = new int[entries.Count * width];
        var next = new int[entries.Count];
        var counts = new long[entries.Count];
        for (int e = 0; e < entries.Count; e++)
        {
            for (int i = 0; i < width; i++) contexts[e * width + i] = entries[e].Context[i];
            next[e] = entries[e].Next;
            counts[e] = entries[e].Count;
        }
        return new Dictionary<string, Tensor>
        {
            ["vocab_codepoints"] = torch.tensor(codepoints.ToArray(), ScalarType.Int32),
            ["vocab_offsets"] = torch.tensor(offsets.ToArray(), ScalarType.Int64),
            ["contexts"] = torch.tensor(contexts, [entries.Count, width], ScalarType.Int32),
            ["next"] = torch.tensor(next, ScalarType.Int32),
            ["counts"] = torch.tensor(counts, ScalarType.Int64),
        };
    }

    public static NGramModel FromTensors(JsonObject config, IReadOnlyDictionary<string, Tensor> state)
    {
        var values = new ConfigValues(config);
        var options = new NGramOptions
        {
            Order = values.Int("order", 1, 64),
            Level = NGramOptions.ParseLevel(values.String("level")),
            Smoothing = NGramOptions.ParseSmoothing(values.String("smoothing")),
            K = values.Double("k", 0, double.MaxValue, whenAbsent: 1),
            Discount = values.Double("discount", 0, 1, whenAbsent: 0.75),
        };
        options.Validate();
        var codepoints = Get(state, "vocab_codepoints", ScalarType.Int32).data<int>().ToArray();
        var offsets = Get(state, "vocab_offsets", ScalarType.Int64).data<long>().ToArray();
        var tokens = new List<string>();
        for (int i = 0; i + 1 < offsets.Length; i++)
        {
            if (offsets[i] < 0 || offsets[i + 1] < offsets[i] || offsets[i + 1] > codepoints.Length)
                throw new LoomDataException("model.safetensors: vocab_offsets are not increasing offsets into vocab_codepoints");
            tokens.Add(string.Concat(codepoints[(int)offsets[i]..(int)offsets[i + 1]].Select(c => char.ConvertFromUtf32(c))));
        }
        var vocabulary = new NGramVocabulary(tokens, options.Level);
        int width = options.Order - 1;
        var contextsTensor = Get(state, "contexts", ScalarType.Int32);
        if (contextsTensor.dim() != 2 || contextsTensor.shape[1] != width)
            throw new LoomDataException(
                $"model.safetensors: 'contexts' has shape [{string.Join(", ", contextsTensor.shape)}], expected [entries, {width}]");
        var contexts = contextsTensor.data<int>().ToArray();
        var next = Get(state, "next", ScalarType.Int32).data<int>().ToArray();
        var counts = Get(state, "counts", ScalarType.Int64).data<long>().ToArray();
        if (next.Length != contextsTensor.shape[0] || counts.Length != next.Length)
            throw new LoomDataException("model.safetensors: 'contexts', 'next' and 'counts' have different lengths");
        if (next.Any(t => t < 0 || t >= tokens.Count) || contexts.Any(t => t < 0 || t >= tokens.Count))
            throw new LoomDataException("model.safetensors: a token id is outside the vocabulary");
        var entries = Enumerable.Range(0, next.Length).Select(e => (contexts[(e * width)..((e + 1) * width)], next[e], counts[e]));
        var ngramCounts = NGramCounts.FromEntries(options, vocabulary.Size, entries);
        // Recorded for readers of config.json; they must describe the tensors, not contradict them.
        if (values.Long("vocabulary_size", 0, long.MaxValue, vocabulary.Size) != vocabulary.Size)
            throw new LoomDataException(
                $"config.json: 'vocabulary_size' is {config["vocabulary_size"]}, but the vocabulary holds {vocabulary.Size}");
        long total = counts.Sum();
        if (values.Long("training_tokens", 0, long.MaxValue, total) != total)
            throw new LoomDataException($"config.json: 'training_tokens' is {config["training_tokens"]}, but the counts add up to {total}");
        return new NGramModel(options, vocabulary, ngramCounts, total);
    }

    private static Tensor Get(IReadOnlyDictionary<string, Tensor> state, string name, ScalarType type)
    {
        if (!state.TryGetValue(name, out var t))
            throw new LoomDataException($"model.safetensors: missing tensor '{name}' for an ngram model");
        if (t.dtype != type)
            throw new LoomDataException($"model.safetensors: tensor '{name}' is {t.dtype}, expected {type}");
        return t.cpu().contiguous();
    }
}
