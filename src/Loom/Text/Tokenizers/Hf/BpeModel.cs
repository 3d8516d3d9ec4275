using Loom.Core;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>The settings of a tokenizer.json BPE model besides its vocabulary and merges.</summary>
/// <param name="UnkToken">The token for characters the vocabulary lacks (none: such characters are dropped, as HF does).</param>
/// <param name="FuseUnk">Consecutive unknown characters become one unknown token.</param>
/// <param name="ByteFallback">A character the vocabulary lacks becomes its UTF-8 bytes as "&lt;0xNN&gt;" tokens.</param>
/// <param name="IgnoreMerges">A piece that is itself in the vocabulary is one token, without merging.</param>
/// <param name="ContinuingSubwordPrefix">Put before every character but a piece's first (e.g. "##").</param>
/// <param name="EndOfWordSuffix">Put after a piece's last character (e.g. "&lt;/w&gt;").</param>
public sealed record BpeOptions(
    string? UnkToken = null, bool FuseUnk = false, bool ByteFallback = false, bool IgnoreMerges = false,
    string? ContinuingSubwordPrefix = null, string? EndOfWordSuffix = null);

/// <summary>
/// HF tokenizers' BPE model: a piece is split into characters (code points), mapped to ids (with byte fallback or the
/// unknown token for characters outside the vocabulary), then merged lowest rank first.
/// </summary>
public sealed class BpeModel : TokenModel
{
    private readonly Dictionary<string, int> _vocab;
    private readonly BpeMergeTable _merges;
    private readonly BpeOptions _options;
    private readonly int? _unkId;

    /// <summary>A model from its vocabulary (token → id), merges in rank order and options; <paramref name="path"/> names the
    /// file in messages.</summary>
    public BpeModel(
        IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, BpeOptions options, string path)
        : base(vocab, options.ByteFallback)
    {
        _vocab = new Dictionary<string, int>(vocab, StringComparer.Ordinal);
        _options = options;
        if (options.UnkToken is { } unk)
            _unkId = _vocab.TryGetValue(unk, out var id) ? id
                : throw new LoomDataException($"{path}: model.unk_token '{unk}' is not in the vocabulary");
        int prefixLength = options.ContinuingSubwordPrefix?.Length ?? 0;
        var table = new List<(int, int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            string merged = left + (right.Length >= prefixLength && prefixLength > 0 ? right[prefixLength..] : right);
            table.Add((IdOf(left, rank, path), IdOf(right, rank, path), IdOf(merged, rank, path)));
        }
        _merges = new BpeMergeTable(table);
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    /// <inheritdoc />
    protected override int[] EncodeUncached(string piece)
    {
        if (_options.IgnoreMerges && _vocab.TryGetValue(piece, out var whole))
            return [whole];
        var symbols = new List<int>(piece.Length);
        bool previousUnk = false;
        for (int i = 0; i < piece.Length;)
        {
            int length = RuneText.At(piece, i).Utf16SequenceLength;
            string symbol = piece.Substring(i, length);
            if (i > 0 && !string.IsNullOrEmpty(_options.ContinuingSubwordPrefix))
                symbol = _options.ContinuingSubwordPrefix + symbol;
            if (i + length == piece.Length && !string.IsNullOrEmpty(_options.EndOfWordSuffix))
                symbol += _options.EndOfWordSuffix;

            if (_vocab.TryGetValue(symbol, out var id))
            {
                symbols.Add(id);
                previousUnk = false;
            }
            else if (ByteFallback && TryAddBytes(piece.AsSpan(i, length), symbols))
                previousUnk = false;
            else if (_unkId is { } unk)
            {
                if (!(_options.FuseUnk && previousUnk))
                    symbols.Add(unk);
                previousUnk = true;
            }
            i += length;
        }
        return _merges.Apply(symbols.ToArray());
    }

    private int IdOf(string token, int rank, string path) =>
        _vocab.TryGetValue(token, out var id) ? id
            : throw new LoomDataException($"{path}: BPE merge rank {rank}: '{token}' is not in the vocabulary");
}
