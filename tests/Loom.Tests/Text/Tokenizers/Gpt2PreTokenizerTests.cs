using System.Text.RegularExpressions;
using Loom.Text.Tokenizers;

namespace Loom.Tests.Text.Tokenizers;

/// <summary>The hand-written splitter agrees with the GPT-2 pattern run by .NET's Regex wherever the two can agree (BMP text).</summary>
public class Gpt2PreTokenizerTests
{
    private static readonly Regex Pattern = new(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+");

    private static string[] Pieces(string text) =>
        Gpt2PreTokenizer.Split(text).Select(p => text.Substring(p.Start, p.Length)).ToArray();

    private static string[] RegexPieces(string text) => Pattern.Matches(text).Select(m => m.Value).ToArray();

    [Theory]
    [InlineData("Hello, world!")]
    [InlineData("  leading and   multiple   spaces\tand tabs\n")]
    [InlineData("don't won't it's I'm we'll they've you're he'd 'S")]
    [InlineData("trailing newline\n\n")]
    [InlineData("numbers 1234567 and 3.14159 ½ Ⅻ")]
    [InlineData(" \u00A0x\u2003 y \t\t z")]
    [InlineData("!!'s ''' ' 'x")]
    public void MatchesTheRegexOnExamples(string text) => Assert.Equal(RegexPieces(text), Pieces(text));

    [Fact]
    public void MatchesTheRegexOnRandomBmpText()
    {
        var alphabet = "ab Zé1٣½ \t\n\r\u00A0\u2003'srtvlmd.,!-_ü中\u0301".ToCharArray();
        var random = new Random(1234);
        for (int trial = 0; trial < 3000; trial++)
        {
            var chars = new char[random.Next(0, 24)];
            for (int i = 0; i < chars.Length; i++)
                chars[i] = alphabet[random.Next(alphabet.Length)];
            var text = new string(chars);
            Assert.Equal(RegexPieces(text), Pieces(text));
        }
    }

    [Fact]
    public void LettersOutsideTheBmpAreLetters()
    {
        Assert.Equal(["abc𝐀𝐁d", " 𠀀"], Pieces("abc𝐀𝐁d 𠀀"));
        Assert.Equal(["x", " 🤖🎉!"], Pieces("x 🤖🎉!"));
    }

    [Fact]
    public void LoneSurrogateIsADataError()
    {
        var e = Assert.Throws<Loom.Core.LoomDataException>(() => Pieces("ab\uD800c"));
        Assert.Contains("position 2", e.Message);
    }
}
