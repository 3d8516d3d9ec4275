using Loom.Text.Tokenizers.Hf;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>Character classes match code points, also outside the BMP, where .NET's Regex alone sees surrogates.</summary>
public class CodePointRegexTests
{
    [Fact]
    public void AstralLettersAreLetters()
    {
        // 𝐀 (U+1D400) is a letter: one run "a𝐀b" (4 UTF-16 units), then the emoji is not a letter.
        Assert.Equal([(0, 4)], new CodePointRegex(@"\p{L}+").Matches("a𝐀b 😀"));
    }

    [Fact]
    public void AstralDigitsCountAsOneDigitEach()
    {
        // Four mathematical digits (U+1D7D9…): \p{N}{1,3} takes three code points (6 units), then one.
        Assert.Equal([(0, 6), (6, 8)], new CodePointRegex(@"\p{N}{1,3}").Matches("𝟙𝟚𝟛𝟜"));
    }

    [Fact]
    public void ZwjFamilyIsOneRunOfNonLetters()
    {
        var family = "👨\u200D👩\u200D👧";
        Assert.Equal([(0, family.Length)], new CodePointRegex(@"[^\s\p{L}\p{N}]+").Matches(family));
    }

    [Fact]
    public void WithoutSurrogatesMatchesAreThePlainRegexOnes()
    {
        Assert.Equal([(0, 3), (4, 7)], new CodePointRegex(@"\p{L}+").Matches("abc def"));
    }

    [Fact]
    public void ReplaceWorksAcrossAstralCharacters()
    {
        Assert.Equal("▁𝐀▁😀", new CodePointRegex(" ").Replace(" 𝐀 😀", "▁"));
    }
}
