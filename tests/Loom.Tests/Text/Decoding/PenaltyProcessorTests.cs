using Loom.Text.Decoding;
using static Loom.Tests.Text.Decoding.DecodingTestData;

namespace Loom.Tests.Text.Decoding;

/// <summary>Repetition, frequency and presence penalties against hand-computed expectations.</summary>
public class PenaltyProcessorTests
{
    private static readonly float[] Raw = [1f, -2f, 0.5f, 3f, 0f, -1f];

    [Fact]
    public void RepetitionPenaltyMultipliesNegativeAndDividesPositiveScoresOfSeenTokensOnce()
    {
        // Row 0 saw 1, 3 (twice) and 5; row 1 saw 0 and 2 only.
        using var ids = Ids([1, 3, 3, 5], [0, 2, 0, 0]);
        using var scores = Scores(Raw, Raw);
        using var result = new RepetitionPenaltyProcessor(2).Process(ids, scores);
        AssertScores(result,
            [1f, -4f, 0.5f, 1.5f, 0f, -2f],
            [0.5f, -2f, 0.25f, 3f, 0f, -1f]);
    }

    [Fact]
    public void RepetitionPenaltyBelowOneRewardsSeenTokens()
    {
        using var ids = Ids([1, 3]);
        using var scores = Scores(Raw);
        using var result = new RepetitionPenaltyProcessor(0.5).Process(ids, scores);
        AssertScores(result, [1f, -1f, 0.5f, 6f, 0f, -1f]);
    }

    [Fact]
    public void RepetitionPenaltyIgnoresPadPositions()
    {
        using var ids = Ids([5, 5, 1, 3]);
        using var scores = Scores(Raw);
        using var result = new RepetitionPenaltyProcessor(2, padTokenId: 5).Process(ids, scores);
        AssertScores(result, [1f, -4f, 0.5f, 1.5f, 0f, -1f]);
    }

    [Fact]
    public void FrequencyPenaltySubtractsPenaltyTimesCountFromTheStartPosition()
    {
        // From position 1: token 1 once, token 3 three times; the prompt token 2 at position 0 does not count.
        using var ids = Ids([2, 1, 3, 3, 3]);
        using var scores = Scores(Raw);
        using var generatedOnly = new FrequencyPenaltyProcessor(0.5, startPosition: 1).Process(ids, scores);
        using var everything = new FrequencyPenaltyProcessor(0.5).Process(ids, scores);
        AssertScores(generatedOnly, [1f, -2.5f, 0.5f, 1.5f, 0f, -1f]);
        AssertScores(everything, [1f, -2.5f, 0f, 1.5f, 0f, -1f]);
    }

    [Fact]
    public void PresencePenaltySubtractsOncePerTokenPresent()
    {
        using var ids = Ids([2, 1, 3, 3, 3]);
        using var scores = Scores(Raw);
        using var result = new PresencePenaltyProcessor(0.5, startPosition: 1).Process(ids, scores);
        AssertScores(result, [1f, -2.5f, 0.5f, 2.5f, 0f, -1f]);
        using var negative = new PresencePenaltyProcessor(-1).Process(ids, scores);
        AssertScores(negative, [1f, -1f, 1.5f, 4f, 0f, -1f]);
    }

    [Fact]
    public void CountingPenaltiesIgnorePadAndAcceptAStartBeyondTheEnd()
    {
        using var ids = Ids([0, 0, 4, 4]);
        using var scores = Scores(Raw);
        using var padded = new FrequencyPenaltyProcessor(1, padTokenId: 0).Process(ids, scores);
        AssertScores(padded, [1f, -2f, 0.5f, 3f, -2f, -1f]);
        using var none = new PresencePenaltyProcessor(1, startPosition: 9).Process(ids, scores);
        AssertScores(none, Raw);
    }

    [Fact]
    public void HistoryOutsideTheVocabularyIsAUsageError()
    {
        using var ids = Ids([1, 6]);
        using var scores = Scores(Raw);
        var e = Assert.Throws<Loom.Core.LoomUsageException>(() => new RepetitionPenaltyProcessor(2).Process(ids, scores));
        Assert.Contains("token 6", e.Message);
    }
}
