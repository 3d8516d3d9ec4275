using System.Collections.Concurrent;
using System.Text;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// A tokenizer.json "model": encodes one pre-tokenized piece into ids (<see cref="BpeModel"/>, <see cref="UnigramModel"/>).
/// Pieces are cached; byte fallback ("&lt;0xNN&gt;" tokens for characters outside the vocabulary) is shared here.
/// </summary>
public abstract class TokenModel
{
    private const int CacheLimit = 1 << 18;

    private readonly int[] _byteTokenIds = new int[256];
    private readonly Dictionary<int, byte> _byteOfTokenId = [];
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private int _cacheCount;

    /// <summary>Finds the "&lt;0xNN&gt;" tokens of <paramref name="vocab"/> when <paramref name="byteFallback"/>.</summary>
    protected TokenModel(IReadOnlyDictionary<string, int> vocab, bool byteFallback)
    {
        ByteFallback = byteFallback;
        for (int b = 0; b < 256; b++)
        {
            _byteTokenIds[b] = vocab.TryGetValue(ByteToken((byte)b), out var id) ? id : -1;
            if (id >= 0 && byteFallback)
                _byteOfTokenId.TryAdd(id, (byte)b);
        }
    }

    /// <summary>The vocabulary (token → id).</summary>
    public abstract IReadOnlyDictionary<string, int> Vocabulary { get; }

    /// <summary>Whether characters outside the vocabulary become their UTF-8 bytes as "&lt;0xNN&gt;" tokens.</summary>
    public bool ByteFallback { get; }

    /// <summary>The byte-fallback token for <paramref name="value"/>, e.g. "&lt;0x0A&gt;".</summary>
    public static string ByteToken(byte value) => $"<0x{value:X2}>";

    /// <summary>The byte a "&lt;0xNN&gt;" byte-fallback token stands for, or -1 when the id is not one.</summary>
    public int FallbackByte(int id) => _byteOfTokenId.TryGetValue(id, out var b) ? b : -1;

    /// <summary>Appends the ids of <paramref name="piece"/> to <paramref name="output"/>.</summary>
    public void Encode(string piece, List<int> output)
    {
        if (piece.Length == 0)
            return;
        if (!_cache.TryGetValue(piece, out var ids))
        {
            ids = EncodeUncached(piece);
            if (Interlocked.Increment(ref _cacheCount) > CacheLimit)
            {
                _cache.Clear();
                Interlocked.Exchange(ref _cacheCount, 0);
            }
            _cache[piece] = ids;
        }
        output.AddRange(ids);
    }

    /// <summary>The ids of a non-empty piece.</summary>
    protected abstract int[] EncodeUncached(string piece);

    /// <summary>Appends the byte tokens of <paramref name="text"/>'s UTF-8; false (and nothing added) when the vocabulary
    /// lacks one of them.</summary>
    protected bool TryAddBytes(ReadOnlySpan<char> text, List<int> symbols)
    {
        var utf8 = Encoding.UTF8.GetBytes(text.ToArray());
        foreach (var b in utf8)
            if (_byteTokenIds[b] < 0)
                return false;
        foreach (var b in utf8)
            symbols.Add(_byteTokenIds[b]);
        return true;
    }
}
