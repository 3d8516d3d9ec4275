using Loom.Core;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language;

/// <summary>Hyperparameters of language-model training (nanoGPT's defaults where it has them).</summary>
public sealed record LanguageModelTrainingOptions
{
    public long Steps { get; init; } = 2000;
    public int BatchSize { get; init; } = 12;
    public int Context { get; init; } = 64;
    public double LearningRate { get; init; } = 1e-3;
    public double MinLearningRate { get; init; } = 1e-4;
    public long Warmup { get; init; } = 100;
    public double WeightDecay { get; init; } = 0.1;
    public double Beta2 { get; init; } = 0.99;
    public double GradClip { get; init; } = 1.0;
    public long EvalEvery { get; init; } = 250;
    /// <summary>Random batches per split in each periodic loss estimate (nanoGPT's eval_iters).</summary>
    public int EvalBatches { get; init; } = 20;
    public int AccumulationSteps { get; init; } = 1;
    public long CheckpointEvery { get; init; }
    public long Seed { get; init; }
    /// <summary>
    /// Train with DP-SGD: Poisson batches of <see cref="BatchSize"/> examples on average from the training split's
    /// disjoint windows (stream) or lines, each example's gradient clipped, Gaussian noise added. Transformer families
    /// only (RNN layers have no per-example gradient rule); <see cref="GradClip"/> is replaced by the per-example clip.
    /// </summary>
    public Privacy.DpOptions? Privacy { get; init; }
    /// <summary>Learn from a teacher's logits too (<see cref="LanguageModelTraining.CreateTrainer"/> takes the teacher).</summary>
    public Distillation.DistillationOptions? Distillation { get; init; }
    /// <summary>The dtype the network computes in: float32, or bfloat16 with float32 master weights
    /// (<see cref="TrainingPrecision"/>; the caller lowers the network before <see cref="LanguageModelTraining.CreateTrainer"/>).
    /// Losses are computed from float32 logits either way.</summary>
    public ScalarType Precision { get; init; } = ScalarType.Float32;

    public void Validate()
    {
        Privacy?.Validate();
        Distillation?.Validate();
        TrainingPrecision.Name(Precision);
        if (Privacy is not null && Precision != ScalarType.Float32)
            throw LoomUsageException.ForOption(nameof(Precision), "DP-SGD trains in float32 here: its per-example gradients and noise "
                + "are not checked in bfloat16");
        if (Privacy is not null && Distillation is not null)
            throw LoomUsageException.ForOption("Teacher", "distillation cannot be combined with DP-SGD here: the per-example "
                + "gradients cover the data term only");
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (Context < 1) throw LoomUsageException.ForOption(nameof(Context), $"must be at least 1, got {Context}");
        if (EvalBatches < 1) throw LoomUsageException.ForOption(nameof(EvalBatches), $"must be at least 1, got {EvalBatches}");
        if (!(MinLearningRate >= 0 && MinLearningRate <= LearningRate)) throw LoomUsageException.ForOption(nameof(MinLearningRate),
            $"must be in [0, LearningRate], got {MinLearningRate}");
    }
}

/// <summary>
/// Trains any causal language model module with the shared <see cref="Trainer"/>: AdamW (decay on matrices only,
/// β₂ = 0.99), warmup + cosine decay to the minimum rate, gradient clipping, periodic train/val loss estimates on seeded
/// batches, and a final exact validation loss over the whole validation split.
/// </summary>
public static class LanguageModelTraining
{
    /// <param name="trainable">The parameters to update (LoRA: the adapter's matrices); null: every parameter of the model.</param>
    /// <param name="teacher">The model to distil when <see cref="LanguageModelTrainingOptions.Distillation"/> is set (frozen,
    /// eval mode: <see cref="Distillation.DistillationTeacher"/>); its logits on each batch join the loss.</param>
    public static Trainer CreateTrainer(nn.Module model, LanguageModelData data, LanguageModelTrainingOptions options,
        MetricsLog? log = null, ITrainingProgress? progress = null, Action<Trainer>? saveCheckpoint = null,
        IReadOnlyList<TorchSharp.Modules.Parameter>? trainable = null, ICausalLanguageModel? teacher = null)
    {
        options.Validate();
        if ((options.Distillation is null) != (teacher is null))
            throw new ArgumentException("a teacher and Distillation options go together", nameof(teacher));
        var causal = Causal(model);
        double sampleRate = Math.Min(1.0, options.BatchSize / (double)Math.Max(1, data.PrivateExamples(options.Context)));
        var objective = options.Privacy is null
            ? new DelegateObjective((step, micro) =>
            {
                var (x, y) = data.Batch(false, options.BatchSize, options.Context, options.Seed, step * options.AccumulationSteps + micro);
                var loss = teacher is null
                    ? Loss(causal, x, y, out long tokens)
                    : DistilledLoss(causal, teacher, x, y, options, out tokens);
                return new TrainingLoss(loss, tokens);
            })
            : new DelegateObjective((step, _) =>
            {
                if (data.PoissonBatch(sampleRate, options.Context, options.Seed, step) is not var (x, y))
                    return new TrainingLoss(torch.zeros(1).sum(), 0, PerExampleLoss: torch.zeros(0));
                var perSequence = PerSequenceLoss(causal, x, y);
                return new TrainingLoss(perSequence.mean(), perSequence.shape[0], PerExampleLoss: perSequence);
            });
        var optimizer = new OptimizerOptions
        {
            LearningRate = options.LearningRate, Beta1 = 0.9, Beta2 = options.Beta2,
            WeightDecay = options.WeightDecay, DecayMatricesOnly = true,
        };
        var trainerOptions = new TrainerOptions
        {
            Steps = options.Steps,
            Schedule = ScheduleKind.Cosine,
            WarmupSteps = Math.Min(options.Warmup, options.Steps),
            MinLearningRate = options.MinLearningRate,
            GradClip = options.Privacy is null ? options.GradClip : 0,
            AccumulationSteps = options.AccumulationSteps,
            EvalEvery = options.EvalEvery,
            LogEvery = Math.Clamp(options.Steps / 200, 1, 10),
            CheckpointEvery = options.CheckpointEvery,
            Privacy = options.Privacy is { } dp
                ? new PrivateTraining(dp, sampleRate, sampleRate * data.PrivateExamples(options.Context))
                : null,
        };
        model.train();
        var parameters = trainable ?? model.parameters().ToList();
        if (options.Precision != ScalarType.Float32 && parameters.FirstOrDefault(p => p.dtype != options.Precision) is { } other)
            throw LoomUsageException.ForOption(nameof(options.Precision), $"is {TrainingPrecision.Name(options.Precision)} but the "
                + $"model's parameters are {other.dtype}; convert the model with TrainingPrecision.Lower first");
        var phase = new TrainingPhase("lm", objective, parameters, optimizer, Model: model);
        return new Trainer([phase], trainerOptions)
        {
            Evaluate = () => EstimateLoss(model, data, options),
            Log = log,
            Progress = progress,
            SaveCheckpoint = saveCheckpoint,
        };
    }

    /// <summary>Mean cross-entropy (nats per scored token) of a batch; padding targets are ignored.</summary>
    public static Tensor Loss(ICausalLanguageModel model, Tensor inputs, Tensor targets, out long tokens)
    {
        using var scope = torch.NewDisposeScope();
        var logits = model.Forward(inputs).to(ScalarType.Float32);   // a bfloat16 network's loss in float32
        var flatTargets = targets.to(logits.device).view(-1);
        tokens = flatTargets.ne(LanguageModelData.IgnoreIndex).sum().ToInt64();
        var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[2]), flatTargets, ignore_index: LanguageModelData.IgnoreIndex);
        return loss.MoveToOuterDisposeScope();
    }

    private static Tensor DistilledLoss(ICausalLanguageModel student, ICausalLanguageModel teacher, Tensor inputs, Tensor targets,
        LanguageModelTrainingOptions options, out long tokens)
    {
        using var scope = torch.NewDisposeScope();
        var logits = student.Forward(inputs).to(ScalarType.Float32);
        Tensor teacherLogits;
        using (torch.no_grad())
            teacherLogits = teacher.Forward(inputs).to(ScalarType.Float32);
        return Distillation.DistillationLoss.Compute(logits, teacherLogits, targets, options.Distillation!, out tokens)
            .MoveToOuterDisposeScope();
    }

    /// <summary>Each sequence's mean cross-entropy over its scored tokens, [B] (DP-SGD's per-example losses).</summary>
    public static Tensor PerSequenceLoss(ICausalLanguageModel model, Tensor inputs, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        var logits = model.Forward(inputs);
        var flatTargets = targets.to(logits.device).view(-1);
        var perToken = nn.functional.cross_entropy(logits.view(-1, logits.shape[2]), flatTargets,
            ignore_index: LanguageModelData.IgnoreIndex, reduction: nn.Reduction.None).view(targets.shape);
        var scored = targets.to(logits.device).ne(LanguageModelData.IgnoreIndex).to(perToken.dtype).sum(1).clamp_min(1);
        return (perToken.sum(1) / scored).MoveToOuterDisposeScope();
    }

    /// <summary>nanoGPT's estimate_loss: mean loss over <c>EvalBatches</c> seeded random batches of each split, in eval mode.</summary>
    public static Dictionary<string, double> EstimateLoss(nn.Module model, LanguageModelData data, LanguageModelTrainingOptions options)
    {
        var causal = Causal(model);
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            var result = new Dictionary<string, double>();
            foreach (var validation in new[] { false, true })
            {
                double total = 0;
                for (int i = 0; i < options.EvalBatches; i++)
                {
                    using var scope = torch.NewDisposeScope();
                    var (x, y) = data.Batch(validation, options.BatchSize, options.Context, options.Seed + 1, i);
                    total += Loss(causal, x, y, out _).ToDouble();
                }
                result[validation ? "val_loss" : "train_loss"] = total / options.EvalBatches;
            }
            return result;
        }
        finally
        {
            model.train();
        }
    }

    /// <summary>Exact NLL over a whole split (non-overlapping windows or every line once): total nats and scored tokens.</summary>
    public static (double TotalNats, long Tokens) ExactLoss(nn.Module model, LanguageModelData data, bool validation,
        int context, int batchSize = 32)
    {
        var causal = Causal(model);
        return SumOverSplit(model, data, validation, context, batchSize, (x, y) =>
        {
            var loss = Loss(causal, x, y, out long n);
            return (loss.ToDouble() * n, n);
        });
    }

    /// <summary>
    /// A per-token quantity summed over a whole split (non-overlapping windows or every line once) with
    /// <paramref name="model"/> in eval mode and no gradients: <paramref name="score"/> gives each batch's total and its
    /// scored tokens. Each batch runs in a dispose scope of its own.
    /// </summary>
    public static (double Total, long Tokens) SumOverSplit(nn.Module model, LanguageModelData data, bool validation, int context,
        int batchSize, Func<Tensor, Tensor, (double Total, long Tokens)> score)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            double total = 0;
            long tokens = 0;
            foreach (var (x, y) in data.FullPass(validation, batchSize, context))
            {
                using var scope = torch.NewDisposeScope();
                using (x) using (y)
                {
                    var (batchTotal, n) = score(x, y);
                    total += batchTotal;
                    tokens += n;
                }
            }
            return (total, tokens);
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    private static ICausalLanguageModel Causal(nn.Module model) =>
        model as ICausalLanguageModel
            ?? throw new ArgumentException($"{model.GetType().Name} is not a causal language model", nameof(model));
}
