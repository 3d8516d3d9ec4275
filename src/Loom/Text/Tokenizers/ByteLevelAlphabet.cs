namespace Loom.Text.Tokenizers;

/// <summary>
/// GPT-2's reversible byte ↔ character table: every byte gets a visible character so that byte-level tokens are
/// printable strings. Bytes that are already visible Latin-1 characters ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for
/// themselves; the other 68 bytes (controls, space, DEL, NBSP, soft hyphen), in increasing order, take U+0100, U+0101, …
/// (so space is 'Ġ' U+0120 and newline is 'Ċ' U+010A).
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToCharTable = BuildTable();
    private static readonly Dictionary<char, byte> CharToByteTable =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToCharTable[b], b => (byte)b);

    /// <summary>The character that stands for <paramref name="value"/>.</summary>
    public static char ToChar(byte value) => ByteToCharTable[value];

    /// <summary>The byte <paramref name="c"/> stands for, or false when it is not one of the 256 characters.</summary>
    public static bool TryToByte(char c, out byte value) => CharToByteTable.TryGetValue(c, out value);

    /// <summary>The 256 characters in code point order (the order a trainer lays out the base vocabulary).</summary>
    public static IReadOnlyList<char> SortedChars { get; } = ByteToCharTable.Order().ToArray();

    /// <summary>The byte-level string for some UTF-8 bytes (one character per byte).</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (chars, source) =>
        {
            for (int i = 0; i < source.Length; i++)
                chars[i] = ByteToCharTable[source[i]];
        });
    }

    /// <summary>The bytes a byte-level token stands for, or null when some character of it is not in the table.</summary>
    public static byte[]? TryDecode(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
            if (!CharToByteTable.TryGetValue(token[i], out bytes[i]))
                return null;
        return bytes;
    }

    private static char[] BuildTable()
    {
        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool visible = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = visible ? (char)b : (char)next++;
        }
        return table;
    }
}
