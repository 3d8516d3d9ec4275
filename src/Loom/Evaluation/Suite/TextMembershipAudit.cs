using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Memorization;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language;

namespace Loom.Evaluation.Suite;

/// <summary>
/// The loss-threshold membership-inference attack (<see cref="TextMembershipInference"/>) in the evaluation suite for a
/// language model trained on lines: members are the lines of its training split (the file its card records, split again with
/// the card's seed), non-members the lines of the evaluation data that the training file does not contain; up to
/// <see cref="MaxLines"/> of each, a seeded subset. Adds <c>mia_auroc</c>, <c>mia_advantage</c> and
/// <c>mia_tpr_at_1pct_fpr</c>, or a note saying why the attack did not run.
/// </summary>
public static class TextMembershipAudit
{
    /// <summary>Most lines scored on each side.</summary>
    public const int MaxLines = 2000;

    public static void Add(EvaluationResult result, EvaluationSource source, string evaluationFile, long seed)
    {
        if (source.Model is not NeuralLanguageModel model)
            return;
        if (model.Layout != SequenceLayout.Lines)
        {
            result.Notes.Add("membership inference: the model trained on a text stream, not on lines, so there are no examples to attack");
            return;
        }
        var card = File.Exists(Path.Combine(source.Path, Checkpoint.CardFile)) ? Checkpoint.ReadCard(source.Path) : null;
        var training = card?.Data.FirstOrDefault();
        if (training is null || card?.Seed is not { } trainingSeed || !File.Exists(training.Source)
            || (training.Sha256 is { } sha && sha != FileHash.Sha256(training.Source)))
        {
            result.Notes.Add("membership inference: the checkpoint's training file is not recorded, gone or changed, so the attack "
                + "was not run");
            return;
        }
        var trainingText = TextFile.Read(training.Source);
        var seen = Lines(trainingText).ToHashSet(StringComparer.Ordinal);
        var nonMembers = Lines(TextFile.Read(evaluationFile)).Distinct().Where(l => !seen.Contains(l) && Encodable(model, l)).ToList();
        if (nonMembers.Count == 0)
        {
            result.Notes.Add($"membership inference: {Path.GetFileName(evaluationFile)} has no line outside the training file "
                + "that the model's tokenizer can encode, so the attack was not run");
            return;
        }
        var members = TextMembershipInference.TrainingLines(model, trainingText, trainingSeed);
        int count = Math.Min(MaxLines, Math.Min(members.Count, nonMembers.Count));
        var mia = TextMembershipInference.Attack(model, Subset(members, count, seed, "mia-members"),
            Subset(nonMembers, count, seed, "mia-non-members"));
        result.Add("mia_auroc", mia.Auroc);
        result.Add("mia_advantage", mia.Advantage);
        result.Add("mia_tpr_at_1pct_fpr", mia.TprAtLowFpr);
        result.Notes.Add($"membership inference: {count} training lines vs {count} lines of {Path.GetFileName(evaluationFile)} "
            + "outside the training file, each scored by its mean loss per token");
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0);

    private static bool Encodable(NeuralLanguageModel model, string line)
    {
        try
        {
            return model.Tokenizer.Encode(line).Length > 0;
        }
        catch (LoomDataException)
        {
            return false;
        }
    }

    private static List<string> Subset(IReadOnlyList<string> lines, int count, long seed, string purpose)
    {
        var copy = lines.ToArray();
        Seeding.DotnetRandom(seed, purpose).Shuffle(copy);
        return [.. copy.Take(count)];
    }
}
