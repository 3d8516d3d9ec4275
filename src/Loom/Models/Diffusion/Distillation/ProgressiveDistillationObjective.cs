using Loom.Data;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Diffusion.Samplers;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion.Distillation;

/// <summary>
/// One round of progressive distillation (Salimans &amp; Ho 2022, Algorithm 2) as a training objective. The teacher
/// samples in N deterministic DDIM steps on the trailing grid t_0 &gt; … &gt; t_{N−1} &gt; clean; the student learns
/// the N/2-step grid t_0, t_2, t_4, …, whose every step spans two of the teacher's. Per example: pick a student step j,
/// noise clean data to z at t_{2j}, run the teacher's two DDIM steps z → z′ (t_{2j+1}) → z″ (t_{2j+2}), and solve for
/// the x̃ that one DDIM step from z would need to land on z″:
/// x̃ = (z″ − (σ″/σ) z) / (α″ − (σ″/σ) α)  (x̃ = z″ when t_{2j+2} is clean). The student is regressed on the target
/// of its own prediction type for (z, x̃), e.g. ṽ = α ε̃ − σ x̃ with ε̃ = (z − α x̃)/σ for v-prediction, whose MSE is the
/// paper's "SNR + 1" weighting of the error in x. Teacher and student see the same labels (dropped to the "no label"
/// slot with LabelDropout); with guidance ≠ 1 the teacher's output is the classifier-free guided one.
/// </summary>
public sealed class ProgressiveDistillationObjective : ITrainingObjective
{
    private readonly Denoiser teacher;
    private readonly Denoiser student;
    private readonly PredictionType prediction;
    private readonly TensorDataset data;
    private readonly BatchSampler batches;
    private readonly ProgressiveDistillationOptions options;
    private readonly (double Low, double High)? clip;
    private readonly Device device;
    private readonly Tensor timesteps;
    private readonly Tensor alphaBars;
    private readonly int studentSteps;
    private readonly double guidance;

    /// <param name="teacherLevels">The teacher's N noisy levels and the clean end (N even), from most to least noisy.</param>
    /// <param name="guidance">The teacher's classifier-free guidance scale (1 = plain conditional).</param>
    /// <param name="seed">Seeds the batch order (the round's seed).</param>
    /// <param name="clip">Range the teacher's x̂_0 is clipped to, as the sampling pipeline clips it (null: none).</param>
    public ProgressiveDistillationObjective(Denoiser teacher, Denoiser student, PredictionType prediction,
        IReadOnlyList<NoiseLevel> teacherLevels, TensorDataset data, ProgressiveDistillationOptions options,
        (double Low, double High)? clip, Device device, long seed, double guidance = 1.0)
    {
        int teacherSteps = teacherLevels.Count - 1;
        if (teacherSteps < 2 || teacherSteps % 2 != 0 || !teacherLevels[^1].IsClean)
            throw new ArgumentException("the teacher's path needs an even number of steps ending at the clean level",
                nameof(teacherLevels));
        this.teacher = teacher;
        this.student = student;
        this.prediction = prediction;
        this.data = data;
        this.options = options;
        this.clip = clip;
        this.guidance = guidance;
        this.device = device;
        studentSteps = teacherSteps / 2;
        batches = new BatchSampler(data.Count, Math.Min(options.BatchSize, data.Count), seed);
        // The clean end is never evaluated; its timestep is a placeholder.
        timesteps = torch.tensor(teacherLevels.Select(l => (float)Math.Max(l.Timestep, 0)).ToArray()).DetachFromDisposeScope();
        alphaBars = torch.tensor(teacherLevels.Select(l => (float)l.AlphaBar).ToArray()).DetachFromDisposeScope();
    }

    public TrainingLoss Compute(long step, int micro)
    {
        var batch = data.Batch(batches, step);
        var x0 = batch[0].to(ScalarType.Float32).to(device);
        long n = x0.shape[0];
        long[] perExample = [n, .. Enumerable.Repeat(1L, (int)x0.dim() - 1)];
        var j = torch.randint(0, studentSteps, [n], dtype: ScalarType.Int64);
        var (t, ab) = Level(2 * j, perExample);
        var (tMid, abMid) = Level(2 * j + 1, perExample);
        var (_, abEnd) = Level(2 * j + 2, perExample);
        var noise = torch.randn_like(x0);
        var z = ab.sqrt() * x0 + (1 - ab).sqrt() * noise;
        var labels = Labels(batch, n);

        Tensor target;
        using (torch.no_grad())
        {
            var zMid = TeacherStep(z, t, ab, abMid, labels);
            var zEnd = TeacherStep(zMid, tMid, abMid, abEnd, labels);
            var sigmaRatio = (1 - abEnd).sqrt() / (1 - ab).sqrt();
            var x0Target = (zEnd - sigmaRatio * z) / (abEnd.sqrt() - sigmaRatio * ab.sqrt());
            var epsTarget = (z - ab.sqrt() * x0Target) / (1 - ab).sqrt();
            target = Predictions.Target(prediction, x0Target, epsTarget, ab);
        }
        var output = student.Predict(z, t, labels);
        var loss = (output - target).square().mean();
        return new TrainingLoss(loss, n);
    }

    /// <summary>Timesteps [n] and ᾱ shaped to broadcast over a batch, at the teacher's level indices.</summary>
    private (Tensor Timesteps, Tensor AlphaBars) Level(Tensor index, long[] shape) =>
        (timesteps.index_select(0, index).to(device), alphaBars.index_select(0, index).reshape(shape).to(device));

    private Tensor? Labels(Tensor[] batch, long n)
    {
        if (teacher.NumClasses == 0 || batch.Length < 2)
            return null;
        var labels = batch[1].to(ScalarType.Int64);
        if (options.LabelDropout > 0)
            labels = torch.where(torch.rand(n) < options.LabelDropout, torch.full_like(labels, teacher.NumClasses), labels);
        return labels.to(device);
    }

    /// <summary>One deterministic DDIM step of the teacher (η = 0), with x̂_0 clipped as when sampling.</summary>
    private Tensor TeacherStep(Tensor z, Tensor t, Tensor ab, Tensor abNext, Tensor? labels)
    {
        var (x0, eps) = Predictions.Split(prediction, TeacherPredict(z, t, labels), z, ab);
        if (clip is { } range)
        {
            x0 = x0.clamp(range.Low, range.High);
            eps = (z - ab.sqrt() * x0) / (1 - ab).sqrt();
        }
        return abNext.sqrt() * x0 + (1 - abNext).sqrt() * eps;
    }

    private Tensor TeacherPredict(Tensor z, Tensor t, Tensor? labels)
    {
        if (labels is null || guidance == 1.0)
            return teacher.Predict(z, t, labels);
        var nullLabels = torch.full_like(labels, teacher.NumClasses);
        var parts = teacher.Predict(torch.cat([z, z]), torch.cat([t, t]), torch.cat([labels, nullLabels])).chunk(2);
        return parts[1] + guidance * (parts[0] - parts[1]);
    }
}
