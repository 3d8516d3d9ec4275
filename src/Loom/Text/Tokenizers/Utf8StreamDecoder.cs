using System.Text;

namespace Loom.Text.Tokenizers;

/// <summary>
/// Turns token ids into text as they are generated. A token may end in the middle of a UTF-8 character (byte-level
/// BPE splits emoji and CJK across tokens); <see cref="Push(int)"/> returns only complete characters and holds the
/// trailing bytes back, so no output ever carries a spurious U+FFFD. <see cref="Flush"/> returns what is left, with
/// bytes that never formed a character as U+FFFD. Pushes plus the flush equal <see cref="ITokenizer.Decode"/> of all ids.
/// </summary>
public sealed class Utf8StreamDecoder
{
    private readonly ITokenizer _tokenizer;
    private readonly bool _skipSpecial;
    private readonly HashSet<int> _specialIds;
    private readonly Decoder _utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();

    /// <summary>A decoder for <paramref name="tokenizer"/>'s ids; <paramref name="skipSpecial"/> drops special tokens.</summary>
    public Utf8StreamDecoder(ITokenizer tokenizer, bool skipSpecial = false)
    {
        _tokenizer = tokenizer;
        _skipSpecial = skipSpecial;
        _specialIds = [.. tokenizer.SpecialTokens.Values];
    }

    /// <summary>Adds one token; returns the text completed by it (possibly empty).</summary>
    public string Push(int tokenId)
    {
        if (_skipSpecial && _specialIds.Contains(tokenId))
            return "";
        return Push(_tokenizer.DecodeBytes([tokenId]));
    }

    /// <summary>Adds raw UTF-8 bytes; returns the text they complete (possibly empty).</summary>
    public string Push(ReadOnlySpan<byte> bytes) => Decode(bytes, flush: false);

    /// <summary>Returns the held-back bytes as text (U+FFFD for an incomplete character) and starts afresh.</summary>
    public string Flush() => Decode([], flush: true);

    private string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        int count = _utf8.GetCharCount(bytes, flush);
        var chars = new char[count];
        int written = _utf8.GetChars(bytes, chars, flush);
        return new string(chars, 0, written);
    }
}
