using System.Text;
using System.Text.Json;
using Loom.Core;
using static Loom.Text.Tokenizers.TokenizerJson;

namespace Loom.Text.Tokenizers;

/// <summary>
/// One token per character (Unicode scalar value, so a surrogate pair is one symbol), as nanoGPT's character model:
/// the vocabulary is the distinct characters of the training text in code point order, ids 0…n−1, optionally
/// followed by special tokens. A character outside the vocabulary is an error, never a silent unknown token.
/// Saved as <c>{"kind":"char","chars":[…],"special_tokens":{…}}</c>.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    internal const string KindName = "char";

    private readonly string[] _chars;
    private readonly Dictionary<int, int> _idByRune = [];
    private readonly Dictionary<int, string> _specialById = [];
    private readonly AddedTokenSplitter _splitter;

    /// <summary>A tokenizer whose ids 0…n−1 are <paramref name="chars"/> in the order given, each exactly one character.</summary>
    public CharTokenizer(IReadOnlyList<string> chars, IReadOnlyDictionary<string, int>? specialTokens = null)
    {
        _chars = chars.ToArray();
        for (int id = 0; id < _chars.Length; id++)
        {
            var c = _chars[id];
            if (c.Length == 0
                || Rune.DecodeFromUtf16(c, out var rune, out int used) != System.Buffers.OperationStatus.Done || used != c.Length)
                throw new LoomDataException($"char tokenizer: entry {id} \"{c}\" is not exactly one character");
            if (!_idByRune.TryAdd(rune.Value, id))
                throw new LoomDataException($"char tokenizer: {RuneText.Describe(rune)} is listed twice");
        }
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (text, id) in specialTokens ?? new Dictionary<string, int>())
        {
            if (text.Length == 0 || id < _chars.Length || !_specialById.TryAdd(id, text))
                throw new LoomDataException(
                    $"char tokenizer: special token '{text}' needs non-empty text and its own id ≥ {_chars.Length}, got {id}");
            specials[text] = id;
        }
        SpecialTokens = specials;
        VocabSize = Math.Max(_chars.Length, specials.Count == 0 ? 0 : specials.Values.Max() + 1);
        _splitter = new AddedTokenSplitter(specials.Select(kv => new AddedToken(kv.Value, kv.Key)));
        (BosId, EosId) = SpecialTokenRoles.Find(SpecialTokens);
    }

    /// <summary>The characters of ids 0…n−1, in id order.</summary>
    public IReadOnlyList<string> Characters => _chars;

    /// <summary>
    /// The distinct characters of <paramref name="text"/> in code point order, then <paramref name="specialTokens"/>
    /// with the next ids. Special-token text inside the training text is not counted as characters.
    /// </summary>
    public static CharTokenizer Train(string text, IEnumerable<string>? specialTokens = null)
    {
        var specials = (specialTokens ?? []).Distinct(StringComparer.Ordinal).ToList();
        var splitter = new AddedTokenSplitter(specials.Select((s, i) => new AddedToken(i, s)));
        var ordinary = string.Concat(splitter.Split(text, includeSpecial: true).Where(s => s.IsOrdinary)
            .Select(s => text.AsSpan(s.Start, s.Length).ToString()));
        var chars = RuneText.DistinctSorted(ordinary);
        if (chars.Count == 0)
            throw new LoomDataException("char tokenizer: the training text is empty; there are no characters to learn");
        return new CharTokenizer(chars, specials.Select((s, i) => (s, chars.Count + i)).ToDictionary(p => p.s, p => p.Item2));
    }

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public int VocabSize { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <inheritdoc />
    public int? BosId { get; }

    /// <inheritdoc />
    public int? EosId { get; }

    /// <summary>The characters by id.</summary>
    public IReadOnlyList<string> Chars => _chars;

    /// <inheritdoc />
    public int[] Encode(string text, bool allowSpecial = true)
    {
        var ids = new List<int>(text.Length);
        foreach (var segment in _splitter.Split(text, allowSpecial))
        {
            if (!segment.IsOrdinary)
            {
                ids.Add(segment.TokenId);
                continue;
            }
            for (int i = segment.Start; i < segment.Start + segment.Length;)
            {
                var rune = RuneText.At(text, i);
                if (!_idByRune.TryGetValue(rune.Value, out int id))
                    throw new LoomDataException(
                        $"character {RuneText.Describe(rune)} at position {i} is not in the char tokenizer's vocabulary");
                ids.Add(id);
                i += rune.Utf16SequenceLength;
            }
        }
        return ids.ToArray();
    }

    /// <inheritdoc />
    public string Decode(IReadOnlyList<int> ids, bool skipSpecial = false)
    {
        var text = new StringBuilder(ids.Count);
        foreach (var id in ids)
        {
            if (id >= 0 && id < _chars.Length)
                text.Append(_chars[id]);
            else if (_specialById.TryGetValue(id, out var special))
            {
                if (!skipSpecial)
                    text.Append(special);
            }
            else
                throw new LoomDataException($"token id {id} is not in the char tokenizer's vocabulary (size {VocabSize})");
        }
        return text.ToString();
    }

    /// <inheritdoc />
    public byte[] DecodeBytes(IReadOnlyList<int> ids) => Encoding.UTF8.GetBytes(Decode(ids));

    /// <inheritdoc />
    public void Save(string folder) => Write(Path.Combine(folder, TokenizerFiles.FileName), w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", KindName);
        w.WriteStartArray("chars");
        foreach (var c in _chars)
            w.WriteStringValue(c);
        w.WriteEndArray();
        w.WriteStartObject("special_tokens");
        foreach (var (text, id) in SpecialTokens.OrderBy(kv => kv.Value))
            w.WriteNumber(text, id);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>Builds the tokenizer from a parsed tokenizer.json with kind "char".</summary>
    internal static CharTokenizer Read(JsonElement root, string path)
    {
        var chars = new List<string>();
        foreach (var c in Required(root, "chars", JsonValueKind.Array, path).EnumerateArray())
            chars.Add(c.ValueKind == JsonValueKind.String ? c.GetString()!
                : throw new LoomDataException($"{path}: \"chars\" must hold strings, found {c.GetRawText()}"));
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        if (Optional(root, "special_tokens") is { ValueKind: JsonValueKind.Object } map)
            foreach (var entry in map.EnumerateObject())
                specials[entry.Name] = Id(entry.Value, $"special token '{entry.Name}'", path);
        try
        {
            return new CharTokenizer(chars, specials);
        }
        catch (LoomDataException e)
        {
            throw new LoomDataException($"{path}: {e.Message}", e);
        }
    }
}
