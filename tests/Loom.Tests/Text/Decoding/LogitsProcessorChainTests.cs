using Loom.Text.Decoding;
using TorchSharp;
using static Loom.Tests.Text.Decoding.DecodingTestData;
using static TorchSharp.torch;

namespace Loom.Tests.Text.Decoding;

/// <summary>The chain applies processors in order, accepts user processors, and settings build it in Hugging Face's order.</summary>
public class LogitsProcessorChainTests
{
    /// <summary>A user processor that records when it ran and adds a constant.</summary>
    private sealed class Recorder(List<string> log, string name, float add) : ILogitsProcessor
    {
        public Tensor Process(Tensor inputIds, Tensor scores)
        {
            log.Add(name);
            return scores.add(add);
        }
    }

    [Fact]
    public void ProcessorsRunInTheOrderAdded()
    {
        using var ids = NoIds();
        using var scores = Scores([2f, 0f, -2f]);
        var biasFirst = new LogitsProcessorChain
        {
            new LogitBiasProcessor(new Dictionary<int, float> { [0] = 1f }),
            new TemperatureProcessor(2),
        };
        var temperatureFirst = new LogitsProcessorChain([biasFirst.Processors[1], biasFirst.Processors[0]]);
        using var a = biasFirst.Process(ids, scores);
        using var b = temperatureFirst.Process(ids, scores);
        AssertScores(a, [1.5f, 0f, -1f]);   // (2 + 1) / 2
        AssertScores(b, [2f, 0f, -1f]);     // 2 / 2 + 1
    }

    [Fact]
    public void UserProcessorsJoinTheChain()
    {
        var log = new List<string>();
        var chain =
            new LogitsProcessorChain().Add(new Recorder(log, "first", 1f)).Add(new TopKProcessor(1)).Add(new Recorder(log, "last", 10f));
        using var ids = NoIds();
        using var scores = Scores([0f, 3f, 1f]);
        using var result = chain.Process(ids, scores);
        Assert.Equal(["first", "last"], log);
        AssertScores(result, [NegInf, 14f, NegInf]);
        Assert.Equal(3, chain.Count);
    }

    [Fact]
    public void AnEmptyChainReturnsACopy()
    {
        using var ids = NoIds();
        using var scores = Scores([0f, 3f, 1f]);
        using var result = new LogitsProcessorChain().Process(ids, scores);
        Assert.NotSame(scores, result);
        AssertScores(result, [0f, 3f, 1f]);
    }

    [Fact]
    public void SettingsBuildPenaltiesAndBansFirstThenTheSamplingWarpers()
    {
        var settings = new GenerationSettings
        {
            DoSample = true, Temperature = 0.8, TopK = 40, TopP = 0.9, MinP = 0.05, TypicalP = 0.95,
            RepetitionPenalty = 1.2, FrequencyPenalty = 0.5, PresencePenalty = 0.3, NoRepeatNGramSize = 3,
            LogitBias = new() { [1] = -5f }, BadWordsIds = [[1, 2]], MinNewTokens = 2, EosTokenIds = [0],
        };
        var chain = settings.BuildProcessors(promptLength: 4);
        Assert.Equal(
        [
            typeof(LogitBiasProcessor), typeof(RepetitionPenaltyProcessor), typeof(FrequencyPenaltyProcessor),
            typeof(PresencePenaltyProcessor), typeof(NoRepeatNGramProcessor), typeof(BadWordsProcessor),
            typeof(MinNewTokensProcessor), typeof(TemperatureProcessor), typeof(TopKProcessor), typeof(TopPProcessor),
            typeof(MinPProcessor), typeof(TypicalProcessor),
        ], chain.Processors.Select(p => p.GetType()));
        Assert.Equal(4, ((FrequencyPenaltyProcessor)chain.Processors[2]).StartPosition);
        Assert.Equal(4, ((MinNewTokensProcessor)chain.Processors[6]).PromptLength);

        settings.DoSample = false;
        Assert.Equal(7, settings.BuildProcessors(4).Count);
        Assert.Empty(new GenerationSettings { DoSample = true }.BuildProcessors(0).Processors);
    }
}
