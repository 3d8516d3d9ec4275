using System.Text;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// "ByteLevel": optionally adds a leading space (<paramref name="addPrefixSpace"/>), optionally splits with GPT-2's
/// pattern (<paramref name="useRegex"/>, see <see cref="Gpt2PreTokenizer"/>), then spells each piece's UTF-8 bytes in
/// <see cref="ByteLevelAlphabet"/>.
/// </summary>
public sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    /// <inheritdoc />
    public override void Split(string piece, bool atTextStart, List<string> output)
    {
        if (addPrefixSpace && !piece.StartsWith(' '))
            piece = " " + piece;
        if (!useRegex)
        {
            if (piece.Length > 0)
                output.Add(Spell(piece));
            return;
        }
        for (int i = 0; i < piece.Length;)
        {
            int end = Gpt2PreTokenizer.NextPieceEnd(piece, i);
            output.Add(Spell(piece.AsSpan(i, end - i)));
            i = end;
        }
    }

    /// <summary>The byte-level spelling of <paramref name="text"/>'s UTF-8 bytes.</summary>
    public static string Spell(ReadOnlySpan<char> text)
    {
        bool ascii = true;
        foreach (var c in text)
            if (c >= 0x80) { ascii = false; break; }
        if (ascii)
        {
            Span<char> chars = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
            for (int i = 0; i < text.Length; i++)
                chars[i] = ByteLevelAlphabet.ToChar((byte)text[i]);
            return new string(chars);
        }
        return ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(text.ToArray()));
    }
}
