using System.Text.Json.Nodes;
using Loom.Evaluation.Text;
using Loom.Tests.Support;

namespace Loom.Tests.Evaluation.Text;

/// <summary>
/// BLEU and chrF agree with sacrebleu 2.6, ROUGE with torchmetrics, on tests/fixtures/metrics_reference.json: 1e-4 relative
/// (torchmetrics' ROUGE is float32), plus a 1e-9 absolute floor that only matters for a reference of zero.
/// </summary>
public sealed class TextMetricsFixtureTests
{
    private static readonly JsonObject Reference =
        JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("metrics_reference.json")))!.AsObject();
    private static readonly List<string> Hyps = Reference["hyps"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
    private static readonly List<string> Refs = Reference["refs"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    private static void AssertMatches(double expected, double actual) =>
        NumericAssert.Close(expected, actual, relative: 1e-4, absolute: 1e-9);

    [Fact]
    public void CorpusBleuMatchesSacrebleu() =>
        AssertMatches(Reference["corpus_bleu"]!.GetValue<double>(), Bleu.Corpus(Hyps, Refs).Score);

    [Fact]
    public void SentenceBleuMatchesSacrebleu()
    {
        var expected = Reference["sentence_bleu"]!.AsArray().Select(n => n!.GetValue<double>()).ToList();
        for (int i = 0; i < Hyps.Count; i++)
            AssertMatches(expected[i], Bleu.Sentence(Hyps[i], [Refs[i]]).Score);
    }

    [Fact]
    public void CorpusChrFMatchesSacrebleu() =>
        AssertMatches(Reference["corpus_chrf"]!.GetValue<double>(), ChrF.Corpus(Hyps, Refs));

    [Fact]
    public void RougeMatchesTorchmetrics()
    {
        var expected = Reference["torchmetrics_rouge"]!.AsObject();
        var r = Rouge.Compute(Hyps, Refs);
        var ours = new Dictionary<string, RougeScore> { ["rouge1"] = r.Rouge1, ["rouge2"] = r.Rouge2, ["rougeL"] = r.RougeL };
        foreach (var (name, score) in ours)
        {
            AssertMatches(expected[$"{name}_precision"]!.GetValue<double>(), score.Precision);
            AssertMatches(expected[$"{name}_recall"]!.GetValue<double>(), score.Recall);
            AssertMatches(expected[$"{name}_fmeasure"]!.GetValue<double>(), score.FMeasure);
        }
    }
}
