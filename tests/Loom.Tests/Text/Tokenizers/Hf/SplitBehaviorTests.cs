using Loom.Text.Tokenizers.Hf;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>The five split behaviours on HF's documented example "the-final--countdown", and invert.</summary>
public class SplitBehaviorTests
{
    [Theory]
    [InlineData(SplitBehavior.Removed, "the|final|countdown")]
    [InlineData(SplitBehavior.Isolated, "the|-|final|-|-|countdown")]
    [InlineData(SplitBehavior.MergedWithPrevious, "the-|final-|-|countdown")]
    [InlineData(SplitBehavior.MergedWithNext, "the|-final|-|-countdown")]
    [InlineData(SplitBehavior.Contiguous, "the|-|final|--|countdown")]
    public void BehaviourDecidesWhereDelimitersGo(SplitBehavior behavior, string expected)
    {
        var output = new List<string>();
        new SplitPreTokenizer(new CodePointRegex("-"), behavior, invert: false).Split("the-final--countdown", false, output);
        Assert.Equal(expected, string.Join('|', output));
    }

    [Fact]
    public void InvertKeepsTheMatchesAsContent()
    {
        var output = new List<string>();
        new SplitPreTokenizer(new CodePointRegex(@"\w+"), SplitBehavior.Removed, invert: true).Split("hi, there!", false, output);
        Assert.Equal(["hi", "there"], output);
    }

    [Fact]
    public void TextWithoutMatchesIsOnePiece()
    {
        var output = new List<string>();
        new SplitPreTokenizer(new CodePointRegex("-"), SplitBehavior.Isolated, invert: false).Split("plain", false, output);
        Assert.Equal(["plain"], output);
    }
}
