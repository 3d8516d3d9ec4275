using System.Text;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>"ByteLevel": the tokens' <see cref="ByteLevelAlphabet"/> characters become bytes, read as UTF-8 (invalid
/// sequences as U+FFFD); a character outside the alphabet stands for its own UTF-8 bytes.</summary>
public sealed class ByteLevelDecoder : Decoder
{
    /// <inheritdoc />
    public override List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var token in tokens)
            AppendBytes(token, bytes);
        return [Encoding.UTF8.GetString(bytes.ToArray())];
    }

    /// <summary>Appends the bytes <paramref name="token"/> spells to <paramref name="bytes"/>.</summary>
    public static void AppendBytes(string token, List<byte> bytes)
    {
        foreach (var c in token)
        {
            if (ByteLevelAlphabet.TryToByte(c, out var b))
                bytes.Add(b);
            else
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
    }
}
