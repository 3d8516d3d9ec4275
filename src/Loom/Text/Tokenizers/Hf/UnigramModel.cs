using System.Text;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// HF tokenizers' Unigram model (SentencePiece unigram): the segmentation of a piece into vocabulary tokens with the
/// highest total log-probability (Viterbi over code point positions). A character no token starts with is an unknown
/// node scored <c>min score − 10</c>; consecutive unknown characters fuse into one unknown token, which byte fallback
/// spells as "&lt;0xNN&gt;" tokens when the vocabulary has them all.
/// </summary>
public sealed class UnigramModel : TokenModel
{
    private const double UnknownPenalty = 10.0;

    private readonly Dictionary<string, int> _vocab;
    private readonly double[] _scores;
    private readonly int _unkId;
    private readonly double _unkScore;
    private readonly int _maxPieceLength;

    /// <summary>A model from (token, score) pairs in id order and the unknown token's id.</summary>
    public UnigramModel(IReadOnlyList<(string Token, double Score)> pieces, int unkId, bool byteFallback)
        : this(ToVocab(pieces), pieces, unkId, byteFallback)
    {
    }

    private UnigramModel(Dictionary<string, int> vocab, IReadOnlyList<(string Token, double Score)> pieces, int unkId, bool byteFallback)
        : base(vocab, byteFallback)
    {
        _vocab = vocab;
        _scores = pieces.Select(p => p.Score).ToArray();
        _unkId = unkId;
        _unkScore = (_scores.Length == 0 ? 0 : _scores.Min()) - UnknownPenalty;
        _maxPieceLength = pieces.Select(p => p.Token.Length).DefaultIfEmpty(1).Max();
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    /// <inheritdoc />
    protected override int[] EncodeUncached(string piece)
    {
        int n = piece.Length;
        var score = new double[n + 1];
        var start = new int[n + 1];
        var tokenId = new int[n + 1];
        Array.Fill(start, -1);
        start[0] = 0;
        var lookup = _vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        for (int begin = 0; begin < n;)
        {
            int charLength = RuneText.At(piece, begin).Utf16SequenceLength;
            bool hasSingle = false;
            for (int end = begin + charLength; end <= n && end - begin <= _maxPieceLength;)
            {
                if (lookup.TryGetValue(piece.AsSpan(begin, end - begin), out var id))
                {
                    Offer(begin, end, id, _scores[id]);
                    hasSingle |= end == begin + charLength;
                }
                end += end < n ? RuneText.At(piece, end).Utf16SequenceLength : 1;
            }
            if (!hasSingle)
                Offer(begin, begin + charLength, _unkId, _unkScore);
            begin += charLength;
        }

        var path = new List<(int Start, int End, int Id)>();
        for (int end = n; end > 0; end = start[end])
            path.Add((start[end], end, tokenId[end]));
        path.Reverse();
        return Emit(piece, path);

        void Offer(int begin, int end, int id, double tokenScore)
        {
            double candidate = score[begin] + tokenScore;
            if (start[end] < 0 || candidate > score[end])
                (score[end], start[end], tokenId[end]) = (candidate, begin, id);
        }
    }

    /// <summary>The ids of the best path, runs of unknown tokens fused and spelt as bytes where byte fallback can.</summary>
    private int[] Emit(string piece, List<(int Start, int End, int Id)> path)
    {
        var ids = new List<int>(path.Count);
        for (int i = 0; i < path.Count; i++)
        {
            if (path[i].Id != _unkId)
            {
                ids.Add(path[i].Id);
                continue;
            }
            int from = path[i].Start;
            while (i + 1 < path.Count && path[i + 1].Id == _unkId)
                i++;
            var text = piece.AsSpan(from, path[i].End - from);
            if (_vocab.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var whole))
                ids.Add(whole);
            else if (!(ByteFallback && TryAddBytes(text, ids)))
                ids.Add(_unkId);
        }
        return ids.ToArray();
    }

    private static Dictionary<string, int> ToVocab(IReadOnlyList<(string Token, double Score)> pieces)
    {
        var vocab = new Dictionary<string, int>(pieces.Count, StringComparer.Ordinal);
        for (int id = 0; id < pieces.Count; id++)
            vocab.TryAdd(pieces[id].Token, id);
        return vocab;
    }
}
