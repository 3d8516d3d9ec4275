using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Loom.Core;
using static Loom.Text.Tokenizers.TokenizerJson;
using MlTiktoken = Microsoft.ML.Tokenizers.TiktokenTokenizer;

namespace Loom.Text.Tokenizers;

/// <summary>
/// OpenAI's o200k_base encoding (GPT-4o), through Microsoft.ML.Tokenizers and its O200kBase data package.
/// "&lt;|endoftext|&gt;" (199999) is both BOS and EOS. Saved as <c>{"kind":"tiktoken","encoding":"o200k_base"}</c>;
/// the vocabulary itself comes from the package, not the folder.
/// </summary>
public sealed class TiktokenTokenizer : ITokenizer
{
    internal const string KindName = "tiktoken";

    /// <summary>The one encoding whose data package Loom references.</summary>
    public const string O200kBaseEncoding = "o200k_base";

    private static readonly Lazy<TiktokenTokenizer> O200k =
        new(() => new TiktokenTokenizer(O200kBaseEncoding, "Microsoft.ML.Tokenizers.Data.O200kBase"));

    // The encoding's own split pattern, used to encode special-token text as plain text (Microsoft.ML.Tokenizers
    // always matches special tokens, and keeps the pattern internal).
    private static readonly Lazy<Regex?> O200kPieces = new(() =>
        typeof(MlTiktoken).GetMethod("O200kBaseRegex", BindingFlags.NonPublic | BindingFlags.Static, Type.EmptyTypes)
            ?.Invoke(null, null) as Regex);

    private readonly MlTiktoken _ml;
    private readonly byte[][] _bytesById;
    private readonly Dictionary<int, string> _specialById;
    private readonly AddedTokenSplitter _splitter;

    private TiktokenTokenizer(string encoding, string dataAssembly)
    {
        Encoding = encoding;
        _ml = MlTiktoken.CreateForEncoding(encoding);
        var ordinary = TiktokenRanks.Load(encoding, dataAssembly);
        SpecialTokens = new Dictionary<string, int>(_ml.SpecialTokens ?? new Dictionary<string, int>(), StringComparer.Ordinal);
        _specialById = SpecialTokens.ToDictionary(kv => kv.Value, kv => kv.Key);
        _splitter = new AddedTokenSplitter(SpecialTokens.Select(kv => new AddedToken(kv.Value, kv.Key)));
        VocabSize = Math.Max(ordinary.Length, SpecialTokens.Values.DefaultIfEmpty(-1).Max() + 1);
        _bytesById = new byte[VocabSize][];
        for (int id = 0; id < VocabSize; id++)
            _bytesById[id] = _specialById.TryGetValue(id, out var special) ? System.Text.Encoding.UTF8.GetBytes(special)
                : id < ordinary.Length ? ordinary[id] : [];
        (BosId, EosId) = SpecialTokenRoles.Find(SpecialTokens);
    }

    /// <summary>The o200k_base tokenizer (built once, shared; it is thread-safe).</summary>
    public static TiktokenTokenizer O200kBase() => O200k.Value;

    /// <summary>The tokenizer for a tiktoken encoding name; only "o200k_base" is available.</summary>
    public static TiktokenTokenizer ForEncoding(string encoding) =>
        encoding == O200kBaseEncoding ? O200kBase()
            : throw new LoomUsageException($"tiktoken encoding '{encoding}' is not available (only {O200kBaseEncoding})");

    /// <summary>The tiktoken encoding name, e.g. "o200k_base".</summary>
    public string Encoding { get; }

    /// <inheritdoc />
    public string Kind => $"{KindName}:{Encoding}";

    /// <inheritdoc />
    public int VocabSize { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <inheritdoc />
    public int? BosId { get; }

    /// <inheritdoc />
    public int? EosId { get; }

    /// <inheritdoc />
    public int[] Encode(string text, bool allowSpecial = true)
    {
        var ids = new List<int>(text.Length / 3 + 1);
        foreach (var segment in _splitter.Split(text, allowSpecial))
        {
            if (!segment.IsOrdinary)
                ids.Add(segment.TokenId);
            else
                EncodeOrdinary(text.Substring(segment.Start, segment.Length), ids);
        }
        return ids.ToArray();
    }

    /// <summary>
    /// Encodes text as ordinary text. Special tokens are cut out by <see cref="Encode"/> itself: Microsoft.ML.Tokenizers
    /// 2.0.1 recognises them only while they sit in its LRU piece cache, so after enough distinct text (about 1 MB)
    /// it silently encodes "&lt;|endoftext|&gt;" as seven ordinary tokens.
    /// </summary>
    private void EncodeOrdinary(string text, List<int> ids)
    {
        if (!SpecialTokens.Keys.Any(s => text.Contains(s, StringComparison.Ordinal)))
        {
            ids.AddRange(_ml.EncodeToIds(text));
            return;
        }
        // special-token text to encode as plain text: split with the encoding's own pattern, encode piece by piece
        var pieces = O200kPieces.Value
            ?? throw new LoomDataException(
                "the text holds a special token and this Microsoft.ML.Tokenizers cannot encode it as plain text; allow special tokens");
        foreach (var match in pieces.EnumerateMatches(text))
            ids.AddRange(
                _ml.EncodeToIds(text.Substring(match.Index, match.Length), considerPreTokenization: false, considerNormalization: false));
    }

    /// <inheritdoc />
    public string Decode(IReadOnlyList<int> ids, bool skipSpecial = false)
    {
        IReadOnlyList<int> kept = skipSpecial ? ids.Where(id => !_specialById.ContainsKey(id)).ToList() : ids;
        return System.Text.Encoding.UTF8.GetString(DecodeBytes(kept));
    }

    /// <inheritdoc />
    public byte[] DecodeBytes(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize || _bytesById[id].Length == 0)
                throw new LoomDataException($"token id {id} is not in the tiktoken {Encoding} vocabulary (size {VocabSize})");
            bytes.AddRange(_bytesById[id]);
        }
        return bytes.ToArray();
    }

    /// <inheritdoc />
    public void Save(string folder) => Write(Path.Combine(folder, TokenizerFiles.FileName), w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", KindName);
        w.WriteString("encoding", Encoding);
        w.WriteEndObject();
    });

    /// <summary>The tokenizer a tokenizer.json with kind "tiktoken" names.</summary>
    internal static TiktokenTokenizer Read(JsonElement root, string path)
    {
        var encoding = RequiredString(root, "encoding", path);
        return encoding == O200kBaseEncoding ? O200kBase()
            : throw new LoomDataException($"{path}: tiktoken encoding '{encoding}' is not available (only {O200kBaseEncoding})");
    }
}
