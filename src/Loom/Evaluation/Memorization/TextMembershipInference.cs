using Loom.Core;
using Loom.Models.Language;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Memorization;

/// <summary>
/// Loss-threshold membership inference on a neural language model (<see cref="MembershipInference"/>): each example is
/// one line, scored the way <c>loom score</c> scores a file of lines — framed by the model's start token before and after —
/// and its loss is the mean cross-entropy over its tokens in nats (the per-example loss DP-SGD clips), so long and short
/// lines compare. With a reference model the attack is calibrated by the reference's loss on the same line.
/// </summary>
public static class TextMembershipInference
{
    /// <summary>Mean nats per token of each line under <paramref name="model"/>, in order; eval mode, no gradients.</summary>
    public static double[] LineLosses(NeuralLanguageModel model, IReadOnlyList<string> lines, int batchSize = 64)
    {
        if (lines.Any(string.IsNullOrEmpty))
            throw new LoomDataException("membership inference: a line to score is empty");
        return TokenLineLosses(model, lines.Select(l => model.Tokenizer.Encode(l)).ToList(), batchSize);
    }

    /// <summary>As <see cref="LineLosses"/>, for lines already encoded with the model's tokenizer (without delimiters).</summary>
    public static double[] TokenLineLosses(NeuralLanguageModel model, IReadOnlyList<int[]> lines, int batchSize = 64)
    {
        if (batchSize < 1) throw LoomUsageException.ForOption("BatchSize", $"must be at least 1, got {batchSize}");
        if (lines.Count == 0)
            throw new LoomDataException("membership inference: no lines to score");
        if (lines.Any(l => l.Length == 0))
            throw new LoomDataException("membership inference: a line to score has no tokens");
        var data = LanguageModelData.ForScoring(lines, model.StartTokenId);
        if (data.LongestLine > model.Causal.MaxSequenceLength)
            throw new LoomDataException($"membership inference: a line has {data.LongestLine} tokens with its delimiters, more than "
                + $"the model's context of {model.Causal.MaxSequenceLength}");
        var losses = new List<double>(lines.Count);
        LanguageModelTraining.SumOverSplit(model.Network, data, true, data.LongestLine, batchSize, (x, y) =>
        {
            var perLine = LanguageModelTraining.PerSequenceLoss(model.Causal, x, y);
            losses.AddRange(perLine.to(ScalarType.Float64).data<double>().ToArray());
            return (0, 0);
        });
        return [.. losses];
    }

    /// <summary>
    /// The attack on <paramref name="target"/>: <paramref name="members"/> are lines it trained on, <paramref name="nonMembers"/>
    /// lines from the same population it did not see. With <paramref name="reference"/> (a model trained the same way on other
    /// lines) each loss is calibrated by the reference's (<see cref="MembershipInference.Calibrated"/>).
    /// </summary>
    public static MembershipInferenceResult Attack(NeuralLanguageModel target, IReadOnlyList<string> members,
        IReadOnlyList<string> nonMembers, NeuralLanguageModel? reference = null)
    {
        var memberLosses = LineLosses(target, members);
        var nonMemberLosses = LineLosses(target, nonMembers);
        return reference is null
            ? MembershipInference.LossThreshold(memberLosses, nonMemberLosses)
            : MembershipInference.Calibrated(memberLosses, LineLosses(reference, members), nonMemberLosses,
                LineLosses(reference, nonMembers));
    }

    /// <summary>
    /// The lines a line-layout run trained on (its training split, without the validation lines), decoded to text: the
    /// split <see cref="LanguageModelCorpus.Prepare"/> makes from <paramref name="trainingText"/> with the run's
    /// <paramref name="seed"/> and the model's tokenizer.
    /// </summary>
    public static IReadOnlyList<string> TrainingLines(NeuralLanguageModel model, string trainingText, long seed)
    {
        if (model.Layout != SequenceLayout.Lines)
            throw new LoomDataException("membership inference: the model was trained on a text stream, not on lines");
        var (data, _) = LanguageModelCorpus.Prepare(trainingText, model.Tokenizer, lines: true, seed);
        return data.FramedLines(validation: false).Select(l => model.Tokenizer.Decode(l[1..^1])).ToList();
    }
}
