namespace Loom.Models.Diffusion.Distillation;

/// <summary>One finished halving round: the teacher's and the student's DDIM steps and where the student was saved.</summary>
/// <param name="Resumed">True when the round was found finished in the output folder and loaded instead of trained.</param>
public sealed record DistillationRound(int Round, int TeacherSteps, int StudentSteps, string Folder, double FinalLoss, double Seconds,
    bool Resumed);

/// <summary>
/// What a progressive distillation run produced: the last finished student (the teacher itself when cancelling stopped the
/// first round; the caller owns and disposes it), the finished rounds, and whether cancellation stopped the run early.
/// </summary>
public sealed record DistillationOutcome(DiffusionModel Model, IReadOnlyList<DistillationRound> Rounds, bool Interrupted) : IDisposable
{
    public void Dispose() => Model.Dispose();
}
