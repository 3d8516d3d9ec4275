using Loom.Core;
using Loom.Text.Decoding;
using static Loom.Tests.Text.Decoding.DecodingTestData;

namespace Loom.Tests.Text.Decoding;

/// <summary>No-repeat n-grams, bad words, logit bias and minimum new tokens against hand-computed expectations.</summary>
public class BanProcessorTests
{
    private static readonly float[] Zeros = new float[6];

    [Fact]
    public void NoRepeatBigramBansTokensThatFollowedTheLastTokenBefore()
    {
        // Row 0 ends with 1, and 1 was followed by 2 → ban 2. Row 1 ends with 4; 4 was followed by 4 → ban 4.
        using var ids = Ids([1, 2, 3, 1], [0, 4, 4, 4]);
        using var scores = Scores(Zeros, Zeros);
        using var result = new NoRepeatNGramProcessor(2).Process(ids, scores);
        Assert.Equal([[0, 1, 3, 4, 5], [0, 1, 2, 3, 5]], Kept(result));
    }

    [Fact]
    public void NoRepeatTrigramLooksAtTheLastTwoTokens()
    {
        // Ends with (1, 2); the trigram (1, 2, 3) occurred → ban 3; (2, 3, 1) does not start with (1, 2).
        using var ids = Ids([1, 2, 3, 1, 2]);
        using var scores = Scores(Zeros);
        Assert.Equal([0, 1, 2, 4, 5], Kept(new NoRepeatNGramProcessor(3).Process(ids, scores))[0]);
    }

    [Fact]
    public void NoRepeatUnigramBansEverySeenTokenAndShortRowsBanNothing()
    {
        using var ids = Ids([0, 5]);
        using var scores = Scores(Zeros);
        Assert.Equal([1, 2, 3, 4], Kept(new NoRepeatNGramProcessor(1).Process(ids, scores))[0]);
        using var shortRow = Ids([1]);
        Assert.Equal([0, 1, 2, 3, 4, 5], Kept(new NoRepeatNGramProcessor(3).Process(shortRow, scores))[0]);
    }

    [Fact]
    public void NoRepeatDropsPadTokensFirst()
    {
        using var ids = Ids([0, 0, 3]);
        using var scores = Scores(Zeros);
        Assert.Equal([1, 2, 4, 5], Kept(new NoRepeatNGramProcessor(1).Process(ids, scores))[0]);
        Assert.Equal([0, 1, 2, 4, 5], Kept(new NoRepeatNGramProcessor(1, padTokenId: 0).Process(ids, scores))[0]);
    }

    [Fact]
    public void BadWordsBanTheLastTokenAfterTheirPrefixAndSingleTokensAlways()
    {
        var bad = new BadWordsProcessor([[4], [1, 2], [3, 1, 5]]);
        using var ids = Ids([0, 1], [3, 1], [2, 2]);
        using var scores = Scores(Zeros, Zeros, Zeros);
        using var result = bad.Process(ids, scores);
        Assert.Equal([[0, 1, 3, 5], [0, 1, 3], [0, 1, 2, 3, 5]], Kept(result));
    }

    [Fact]
    public void LogitBiasAddsPerToken()
    {
        using var ids = NoIds(2);
        using var scores = Scores([1f, -2f, 0.5f, 3f, 0f, -1f], Zeros);
        var bias = new LogitBiasProcessor(new Dictionary<int, float> { [0] = 1.5f, [5] = -100f, [3] = NegInf });
        using var result = bias.Process(ids, scores);
        AssertScores(result, [2.5f, -2f, 0.5f, NegInf, 0f, -101f], [1.5f, 0f, 0f, NegInf, 0f, -100f]);
        var tooBig = new LogitBiasProcessor(new Dictionary<int, float> { [6] = 1f });
        Assert.Throws<LoomUsageException>(() => tooBig.Process(ids, scores));
    }

    [Fact]
    public void MinNewTokensBansEveryEosUntilEnoughTokensFollowThePrompt()
    {
        var processor = new MinNewTokensProcessor(promptLength: 2, minNewTokens: 3, eosTokenIds: [5, 4]);
        using var scores = Scores(Zeros);
        using var twoNew = Ids([1, 1, 2, 3]);
        using var threeNew = Ids([1, 1, 2, 3, 0]);
        Assert.Equal([0, 1, 2, 3], Kept(processor.Process(twoNew, scores))[0]);
        Assert.Equal([0, 1, 2, 3, 4, 5], Kept(processor.Process(threeNew, scores))[0]);
        using var tooShort = Ids([1]);
        Assert.Throws<LoomUsageException>(() => processor.Process(tooShort, scores));
    }
}
