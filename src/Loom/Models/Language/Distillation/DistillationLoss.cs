using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language.Distillation;

/// <summary>
/// The distillation objective of <see cref="DistillationOptions"/> on logits [B, T, V] of a student and a teacher over the
/// same tokens, with targets [B, T] whose <see cref="LanguageModelData.IgnoreIndex"/> positions (padding) are not scored.
/// </summary>
public static class DistillationLoss
{
    /// <summary>α·T²·KL_T + (1 − α)·CE, each the mean over scored tokens; <paramref name="tokens"/> counts them.</summary>
    public static Tensor Compute(Tensor studentLogits, Tensor teacherLogits, Tensor targets, DistillationOptions options,
        out long tokens)
    {
        using var scope = torch.NewDisposeScope();
        var flatTargets = targets.to(studentLogits.device).view(-1);
        tokens = flatTargets.ne(LanguageModelData.IgnoreIndex).sum().ToInt64();
        var ce = nn.functional.cross_entropy(studentLogits.view(-1, studentLogits.shape[2]), flatTargets,
            ignore_index: LanguageModelData.IgnoreIndex);
        var kl = KlDivergence(studentLogits, teacherLogits, targets, options.Temperature);
        double t2 = options.Temperature * options.Temperature;
        var loss = kl * (options.Alpha * t2) + ce * (1 - options.Alpha);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Mean over scored tokens of KL(softmax(teacher/T) ‖ softmax(student/T)) in nats (a scalar).</summary>
    public static Tensor KlDivergence(Tensor studentLogits, Tensor teacherLogits, Tensor targets, double temperature)
    {
        using var scope = torch.NewDisposeScope();
        var logStudent = (studentLogits.to(ScalarType.Float32) / temperature).log_softmax(-1);
        var logTeacher = (teacherLogits.to(studentLogits.device).to(ScalarType.Float32) / temperature).log_softmax(-1);
        var perToken = (logTeacher.exp() * (logTeacher - logStudent)).sum(-1);   // [B, T]
        var scored = targets.to(studentLogits.device).ne(LanguageModelData.IgnoreIndex).to(perToken.dtype);
        var kl = (perToken * scored).sum() / scored.sum().clamp_min(1);
        return kl.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The student's mean KL to the teacher at temperature 1 over a whole split (non-overlapping windows or every line
    /// once), in nats per scored token: how close distillation brought the two next-token distributions.
    /// </summary>
    public static double ExactKl(nn.Module student, ICausalLanguageModel teacher, LanguageModelData data, bool validation,
        int context, int batchSize = 32)
    {
        var causal = (ICausalLanguageModel)student;
        var (total, tokens) = LanguageModelTraining.SumOverSplit(student, data, validation, context, batchSize, (x, y) =>
        {
            long n = y.ne(LanguageModelData.IgnoreIndex).sum().ToInt64();
            return (KlDivergence(causal.Forward(x), teacher.Forward(x), y, 1.0).ToDouble() * n, n);
        });
        return total / Math.Max(1, tokens);
    }
}
