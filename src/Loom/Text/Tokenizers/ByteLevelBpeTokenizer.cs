using System.Collections.Concurrent;
using System.Text;
using Loom.Core;

namespace Loom.Text.Tokenizers;

/// <summary>
/// GPT-2-style byte-level BPE, compatible with HF tokenizers' tokenizer.json (model "BPE", ByteLevel pre-tokenizer
/// and decoder). Encoding cuts added tokens out first, splits the rest with <see cref="Gpt2PreTokenizer"/>, spells
/// each piece's UTF-8 bytes in <see cref="ByteLevelAlphabet"/> and merges by rank; pieces are cached.
/// Load one with <see cref="FromJsonFile"/> or <see cref="TokenizerFiles.Load"/>, make one with <see cref="Train"/>.
/// </summary>
public sealed class ByteLevelBpeTokenizer : ITokenizer
{
    private const int CacheLimit = 1 << 17;

    private readonly Dictionary<string, int> _vocab;
    private readonly (string Left, string Right)[] _mergePairs;
    private readonly BpeMergeTable _merges;
    private readonly AddedToken[] _addedTokens;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly AddedTokenSplitter _splitter;
    private readonly int[] _byteIds;
    private readonly string?[] _tokenById;
    private readonly byte[]?[] _bytesById;
    private readonly ConcurrentDictionary<string, int[]> _cache = new();
    private int _cacheCount;

    /// <summary>
    /// A tokenizer from its parts: <paramref name="vocab"/> (token → id), <paramref name="merges"/> in rank order, the
    /// added tokens, and HF's ignore_merges flag (a piece that is itself in the vocabulary skips merging).
    /// </summary>
    public ByteLevelBpeTokenizer(
        IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges,
        IEnumerable<AddedToken>? addedTokens = null, bool ignoreMerges = false)
    {
        _vocab = new Dictionary<string, int>(vocab, StringComparer.Ordinal);
        _mergePairs = merges.ToArray();
        _addedTokens = (addedTokens ?? []).ToArray();
        IgnoreMerges = ignoreMerges;

        int maxId = -1;
        foreach (var (token, id) in _vocab)
        {
            if (id < 0)
                throw new LoomDataException($"BPE vocabulary: token '{token}' has negative id {id}");
            maxId = Math.Max(maxId, id);
        }
        foreach (var added in _addedTokens)
        {
            if (added.Id < 0 || added.Content.Length == 0)
                throw new LoomDataException($"added token '{added.Content}' (id {added.Id}): needs non-empty text and an id ≥ 0");
            maxId = Math.Max(maxId, added.Id);
        }
        VocabSize = maxId + 1;

        _tokenById = new string?[VocabSize];
        foreach (var (token, id) in _vocab)
        {
            if (_tokenById[id] is { } other)
                throw new LoomDataException($"BPE vocabulary: tokens '{other}' and '{token}' share id {id}");
            _tokenById[id] = token;
        }
        _addedById = new Dictionary<int, AddedToken>();
        foreach (var added in _addedTokens)
        {
            if (_tokenById[added.Id] is { } existing && existing != added.Content)
                throw new LoomDataException($"added token '{added.Content}' has id {added.Id}, which the vocabulary gives to '{existing}'");
            if (!_addedById.TryAdd(added.Id, added))
                throw new LoomDataException($"added tokens '{_addedById[added.Id].Content}' and '{added.Content}' share id {added.Id}");
            _tokenById[added.Id] = added.Content;
        }

        _merges = new BpeMergeTable(
            _mergePairs.Select((m, rank) => (IdOf(m.Left, rank), IdOf(m.Right, rank), IdOf(m.Left + m.Right, rank))).ToList());
        _byteIds = Enumerable.Range(0, 256)
            .Select(b => _vocab.TryGetValue(ByteLevelAlphabet.ToChar((byte)b).ToString(), out var id) ? id : -1).ToArray();
        _bytesById = new byte[]?[VocabSize];
        for (int id = 0; id < VocabSize; id++)
            _bytesById[id] = _addedById.TryGetValue(id, out var added) ? Encoding.UTF8.GetBytes(added.Content)
                : _tokenById[id] is { } token ? ByteLevelAlphabet.TryDecode(token) ?? Encoding.UTF8.GetBytes(token) : null;
        _splitter = new AddedTokenSplitter(_addedTokens);
        SpecialTokens = _addedTokens.Where(t => t.Special).ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal);
        (BosId, EosId) = SpecialTokenRoles.Find(SpecialTokens);
    }

    /// <inheritdoc />
    public string Kind => "bpe";

    /// <inheritdoc />
    public int VocabSize { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <inheritdoc />
    public int? BosId { get; }

    /// <inheritdoc />
    public int? EosId { get; }

    /// <summary>The model's vocabulary (byte-level token strings → ids), added tokens not included unless the file lists them there
    /// too.</summary>
    public IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    /// <summary>The merge rules in rank order (rank 0 first).</summary>
    public IReadOnlyList<(string Left, string Right)> Merges => _mergePairs;

    /// <summary>The added tokens (special or not) in the order the file lists them.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => _addedTokens;

    /// <summary>HF's ignore_merges: a piece found whole in the vocabulary is one token without merging.</summary>
    public bool IgnoreMerges { get; }

    /// <summary>Reads an HF tokenizer.json file (see <see cref="ByteLevelBpeJson"/> for what it accepts).</summary>
    public static ByteLevelBpeTokenizer FromJsonFile(string path) => ByteLevelBpeJson.ReadFile(path);

    /// <summary>Trains on <paramref name="text"/> to <paramref name="vocabSize"/> tokens (see <see cref="ByteLevelBpeTrainer"/>).</summary>
    public static ByteLevelBpeTokenizer Train(string text, int vocabSize, IEnumerable<string>? specialTokens = null) =>
        ByteLevelBpeTrainer.Train(text, vocabSize, specialTokens);

    /// <summary>The token string for <paramref name="id"/> (byte-level spelling; an added token's own text), or null for an unused
    /// id.</summary>
    public string? IdToToken(int id) => id >= 0 && id < VocabSize ? _tokenById[id] : null;

    /// <inheritdoc />
    public int[] Encode(string text, bool allowSpecial = true)
    {
        var ids = new List<int>(text.Length / 3 + 1);
        foreach (var segment in _splitter.Split(text, allowSpecial))
        {
            if (!segment.IsOrdinary)
            {
                ids.Add(segment.TokenId);
                continue;
            }
            var span = text.AsSpan(segment.Start, segment.Length);
            var lookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
            for (int i = 0; i < span.Length;)
            {
                int end = Gpt2PreTokenizer.NextPieceEnd(span, i, segment.Start);
                var piece = span[i..end];
                if (!lookup.TryGetValue(piece, out var pieceIds))
                    pieceIds = EncodePiece(piece.ToString());
                ids.AddRange(pieceIds);
                i = end;
            }
        }
        return ids.ToArray();
    }

    /// <inheritdoc />
    public string Decode(IReadOnlyList<int> ids, bool skipSpecial = false)
    {
        IReadOnlyList<int> kept = skipSpecial ? ids.Where(id => !(_addedById.TryGetValue(id, out var t) && t.Special)).ToList() : ids;
        return Encoding.UTF8.GetString(DecodeBytes(kept));
    }

    /// <inheritdoc />
    public byte[] DecodeBytes(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        foreach (var id in ids)
        {
            var tokenBytes = id >= 0 && id < VocabSize ? _bytesById[id] : null;
            if (tokenBytes is null)
                throw new LoomDataException($"token id {id} is not in this BPE tokenizer's vocabulary (size {VocabSize})");
            bytes.AddRange(tokenBytes);
        }
        return bytes.ToArray();
    }

    /// <inheritdoc />
    public void Save(string folder) => ByteLevelBpeJson.WriteFile(this, Path.Combine(folder, TokenizerFiles.FileName));

    private int[] EncodePiece(string piece)
    {
        var utf8 = Encoding.UTF8.GetBytes(piece);
        int[] ids;
        if (IgnoreMerges && _vocab.TryGetValue(ByteLevelAlphabet.Encode(utf8), out var whole))
            ids = [whole];
        else
        {
            var symbols = new int[utf8.Length];
            for (int i = 0; i < utf8.Length; i++)
            {
                symbols[i] = _byteIds[utf8[i]];
                if (symbols[i] < 0)
                    throw new LoomDataException(
                        $"byte 0x{utf8[i]:X2} has no token in this BPE vocabulary ('{ByteLevelAlphabet.ToChar(utf8[i])}' is missing)");
            }
            ids = _merges.Apply(symbols);
        }
        if (Interlocked.Increment(ref _cacheCount) > CacheLimit)
        {
            _cache.Clear();
            Interlocked.Exchange(ref _cacheCount, 0);
        }
        _cache[piece] = ids;
        return ids;
    }

    private int IdOf(string token, int rank) =>
        _vocab.TryGetValue(token, out var id) ? id
            : throw new LoomDataException(
                $"BPE merge rank {rank} ('{_mergePairs[rank].Left}' + '{_mergePairs[rank].Right}'): '{token}' is not in the vocabulary");
}
