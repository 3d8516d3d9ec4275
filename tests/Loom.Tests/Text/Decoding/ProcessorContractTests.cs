using Loom.Core;
using Loom.Text.Decoding;
using TorchSharp;
using static Loom.Tests.Text.Decoding.DecodingTestData;

namespace Loom.Tests.Text.Decoding;

/// <summary>Every built-in processor: argument validation, shape checks, and inputs left untouched.</summary>
public class ProcessorContractTests
{
    public static TheoryData<string> Names() => new(AllProcessors().Keys);

    private static Dictionary<string, ILogitsProcessor> AllProcessors() => new()
    {
        ["temperature"] = new TemperatureProcessor(0.7),
        ["top-k"] = new TopKProcessor(2),
        ["top-p"] = new TopPProcessor(0.5),
        ["min-p"] = new MinPProcessor(0.2),
        ["typical"] = new TypicalProcessor(0.5),
        ["repetition"] = new RepetitionPenaltyProcessor(1.3),
        ["frequency"] = new FrequencyPenaltyProcessor(0.4),
        ["presence"] = new PresencePenaltyProcessor(0.4),
        ["no-repeat"] = new NoRepeatNGramProcessor(2),
        ["bias"] = new LogitBiasProcessor(new Dictionary<int, float> { [1] = 2f }),
        ["bad-words"] = new BadWordsProcessor([[2], [1, 3]]),
        ["min-new"] = new MinNewTokensProcessor(1, 5, [5]),
        ["watermark"] = new Loom.Text.Watermarks.WatermarkProcessor(new() { Key = "k" }),
        ["chain"] = new LogitsProcessorChain { new TopKProcessor(3), new TemperatureProcessor(2) },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void ProcessReturnsANewTensorAndLeavesItsInputsAlone(string name)
    {
        var processor = AllProcessors()[name];
        using var ids = Ids([1, 3, 1], [2, 2, 0]);
        using var scores = Scores([1f, -2f, 0.5f, 3f, 0f, -1f], [0.2f, 0.1f, -0.3f, 2f, 1f, 0f]);
        using var idsBefore = ids.clone();
        using var scoresBefore = scores.clone();
        using var result = processor.Process(ids, scores);
        Assert.NotSame(scores, result);
        Assert.Equal(scores.shape, result.shape);
        Assert.True(scores.eq(scoresBefore).all().item<bool>(), $"{name} changed its scores");
        Assert.True(ids.eq(idsBefore).all().item<bool>(), $"{name} changed its inputIds");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void BadShapesAreUsageErrors(string name)
    {
        var processor = AllProcessors()[name];
        using var scores = Scores([1f, 2f, 3f, 4f, 5f, 6f]);
        using var floatIds = torch.zeros(1, 2);
        using var twoRows = Ids([1, 2], [3, 4]);
        using var flat = torch.zeros(6);
        using var ids = Ids([1, 2]);
        Assert.Throws<LoomUsageException>(() => processor.Process(floatIds, scores));
        Assert.Throws<LoomUsageException>(() => processor.Process(twoRows, scores));
        Assert.Throws<LoomUsageException>(() => processor.Process(ids, flat));
    }

    public static TheoryData<string, Func<object>> BadArguments() => new()
    {
        { "temperature", () => new TemperatureProcessor(0) },
        { "temperature", () => new TemperatureProcessor(double.PositiveInfinity) },
        { "top-k", () => new TopKProcessor(0) },
        { "minTokensToKeep", () => new TopKProcessor(3, 0) },
        { "top-p", () => new TopPProcessor(0) },
        { "top-p", () => new TopPProcessor(1.01) },
        { "top-p", () => new TopPProcessor(double.NaN) },
        { "min-p", () => new MinPProcessor(-0.1) },
        { "min-p", () => new MinPProcessor(1.5) },
        { "typical-p", () => new TypicalProcessor(0) },
        { "typical-p", () => new TypicalProcessor(1) },
        { "repetition penalty", () => new RepetitionPenaltyProcessor(0) },
        { "repetition penalty", () => new RepetitionPenaltyProcessor(-1.2) },
        { "frequency penalty", () => new FrequencyPenaltyProcessor(double.NaN) },
        { "presence penalty", () => new PresencePenaltyProcessor(double.NegativeInfinity) },
        { "startPosition", () => new PresencePenaltyProcessor(1, startPosition: -1) },
        { "n-gram", () => new NoRepeatNGramProcessor(0) },
        { "negative", () => new LogitBiasProcessor(new Dictionary<int, float> { [-1] = 1f }) },
        { "NaN", () => new LogitBiasProcessor(new Dictionary<int, float> { [1] = float.NaN }) },
        { "at least one", () => new BadWordsProcessor([]) },
        { "empty", () => new BadWordsProcessor([[1], []]) },
        { "negative", () => new BadWordsProcessor([[1, -2]]) },
        { "end-of-sequence", () => new MinNewTokensProcessor(1, 2, []) },
        { "min new tokens", () => new MinNewTokensProcessor(1, -2, [1]) },
        { "prompt length", () => new MinNewTokensProcessor(-1, 2, [1]) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadArgumentsThrowOneLineUsageErrors(string mentions, Func<object> create)
    {
        var e = Assert.Throws<LoomUsageException>(create);
        Assert.Contains(mentions, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
