using Loom.Core;
using Loom.Data;
using Loom.Tests.Support;

namespace Loom.Tests.Data;

public class TextCorpusTests
{
    [Fact]
    public void LastTenPercentIsValidation()
    {
        var text = new string(Enumerable.Range(0, 1000).Select(i => (char)('a' + i % 26)).ToArray());
        var corpus = TextCorpus.Split(text);
        Assert.Equal(900, corpus.Train.Length);
        Assert.Equal(text[900..], corpus.Validation);
        Assert.Equal(text, corpus.Train + corpus.Validation);
    }

    [Fact]
    public void SplitMatchesNanoGptOnTinyShakespeare()
    {
        var path = RepoPaths.BundledData("tinyshakespeare.txt");
        var corpus = TextCorpus.Load(path);
        // nanoGPT: n = len(data); train = data[:int(n*0.9)] over 1,115,394 characters
        Assert.Equal((int)(1115394 * 0.9), corpus.Train.Length);
        Assert.Equal(1115394 - (int)(1115394 * 0.9), corpus.Validation.Length);
    }

    [Fact]
    public void NeverCutsASurrogatePair()
    {
        var text = "abcdefghi\U0001F600"; // 11 UTF-16 units: fraction 0.05 cuts at 10, inside the pair, so the cut moves to 9
        var corpus = TextCorpus.Split(text, 0.05);
        Assert.Equal("abcdefghi", corpus.Train);
        Assert.Equal("\U0001F600", corpus.Validation);
    }

    [Fact]
    public void BadFractionsAndTinyTexts()
    {
        Assert.Throws<LoomUsageException>(() => TextCorpus.Split("abc", 1.0));
        Assert.Throws<LoomUsageException>(() => TextCorpus.Split("abc", -0.1));
        Assert.Throws<LoomUsageException>(() => TextCorpus.Split("abc", double.NaN));
        Assert.Throws<LoomDataException>(() => TextCorpus.Split("a", 0.5));
        Assert.Equal("", TextCorpus.Split("abc", 0).Validation);
    }
}
