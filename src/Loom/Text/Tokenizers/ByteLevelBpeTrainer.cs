using System.Text;
using Loom.Core;

namespace Loom.Text.Tokenizers;

/// <summary>
/// Trains byte-level BPE the way HF tokenizers' BpeTrainer lays out its result: special tokens take the first ids,
/// then the 256 byte characters in code point order, then one token per merge. The text is split into pieces with
/// <see cref="Gpt2PreTokenizer"/> (special tokens in it are cut out first and not learned), and the most frequent
/// adjacent pair is merged until the vocabulary has the requested size or no pair is left. Deterministic.
/// </summary>
public static class ByteLevelBpeTrainer
{
    /// <summary>Trains a tokenizer with <paramref name="vocabSize"/> tokens (fewer when the text runs out of pairs).</summary>
    public static ByteLevelBpeTokenizer Train(string text, int vocabSize, IEnumerable<string>? specialTokens = null)
    {
        var specials = (specialTokens ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (specials.Any(string.IsNullOrEmpty))
            throw new LoomUsageException("BPE training: a special token is empty");
        int minimum = 256 + specials.Count;
        if (vocabSize < minimum)
            throw new LoomUsageException(
                $"BPE vocabulary size {vocabSize} is too small: it needs at least {minimum} (256 bytes + {specials.Count} special tokens)");

        var tokens = new List<string>(vocabSize);
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        void AddToken(string token)
        {
            if (vocab.TryAdd(token, tokens.Count))
                tokens.Add(token);
        }
        specials.ForEach(AddToken);
        foreach (var c in ByteLevelAlphabet.SortedChars)
            AddToken(c.ToString());

        var added = specials.Select(s => new AddedToken(vocab[s], s, Special: true)).ToList();
        var counts = new BpePairCounts(tokens);
        foreach (var (piece, count) in CountPieces(text, added))
            counts.AddWord(piece.Select(c => vocab[c.ToString()]).ToArray(), count);
        counts.Seal();

        var merges = new List<(string, string)>();
        while (tokens.Count < vocabSize && counts.TryBest(out int left, out int right))
        {
            var merged = tokens[left] + tokens[right];
            AddToken(merged);
            merges.Add((tokens[left], tokens[right]));
            counts.Merge(left, right, vocab[merged]);
        }
        return new ByteLevelBpeTokenizer(vocab, merges, added);
    }

    /// <summary>How often each pre-tokenized piece occurs, spelled in <see cref="ByteLevelAlphabet"/>.</summary>
    private static Dictionary<string, long> CountPieces(string text, IReadOnlyList<AddedToken> specials)
    {
        var raw = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = raw.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var segment in new AddedTokenSplitter(specials).Split(text, includeSpecial: true))
        {
            if (!segment.IsOrdinary)
                continue;
            var span = text.AsSpan(segment.Start, segment.Length);
            for (int i = 0; i < span.Length;)
            {
                int end = Gpt2PreTokenizer.NextPieceEnd(span, i, segment.Start);
                var piece = span[i..end];
                lookup[piece] = lookup.TryGetValue(piece, out long n) ? n + 1 : 1;
                i = end;
            }
        }
        return raw.ToDictionary(kv => ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(kv.Key)), kv => kv.Value, StringComparer.Ordinal);
    }
}
