using System.Diagnostics;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Training;

/// <summary>
/// The shared gradient trainer. Each step runs every phase whose <c>Every</c> divides the step: gradient accumulation
/// over micro-batches, a NaN/Inf check, optional global-norm clipping, the phase's optimizer with the scheduled
/// learning rate. After the step: EMA update, logging, evaluation with early stopping, periodic checkpoints.
/// Cancellation finishes the current step, saves a checkpoint and returns <see cref="TrainResult.Interrupted"/>.
/// State for exact resume (step, optimizer moments, EMA, early-stopping counters, the CPU RNG) goes through
/// <see cref="CaptureState"/>/<see cref="RestoreState"/>. With <see cref="TrainerOptions.Privacy"/> a step is a DP-SGD
/// step instead (<see cref="DpSgdStep"/>), and the state keeps the privacy accountant's step count.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly IReadOnlyList<TrainingPhase> phases;
    private readonly Optimizer[] optimizers;
    private readonly TrainerOptions options;
    private readonly LearningRateSchedule[] schedules;
    private readonly DpSgdStep? privateStep;
    private double? bestMetric;
    private int evalsWithoutImprovement;
    private double lastLoss = double.NaN;

    public Trainer(IReadOnlyList<TrainingPhase> phases, TrainerOptions options)
    {
        options.Validate();
        if (phases.Count == 0)
            throw new LoomUsageException("training needs at least one phase");
        this.phases = phases;
        this.options = options;
        optimizers = phases.Select(p => new Optimizer(p.Parameters, p.Optimizer)).ToArray();
        schedules = phases.Select(p => new LearningRateSchedule(options.Schedule, p.Optimizer.LearningRate, options.WarmupSteps,
            options.Steps, options.MinLearningRate)).ToArray();
        if (options.EmaDecay is { } decay)
        {
            if (options.EmaPhase < 0 || options.EmaPhase >= phases.Count)
                throw new LoomUsageException($"EMA phase {options.EmaPhase} does not exist (the trainer has {phases.Count} phases)");
            if (phases[options.EmaPhase].Parameters.Any(p => Optimizer.NeedsMaster(p.dtype)))
                throw LoomUsageException.ForOption(nameof(options.EmaDecay), "an average of bfloat16 or float16 parameters would "
                    + "round most updates away; train in float32 to keep an EMA");
            Ema = new ExponentialMovingAverage(phases[options.EmaPhase].Parameters, decay) { Warmup = options.EmaWarmup };
        }
        if (options.Privacy is { } privacy)
        {
            if (phases.Count != 1)
                throw new LoomUsageException($"DP-SGD trains one phase; this run has {phases.Count}");
            privateStep = new DpSgdStep(phases[0], privacy, options.Steps);
        }
    }

    /// <summary>What DP-SGD has spent so far (for the model card), or null when training is not private.</summary>
    public Privacy.PrivacyCard? PrivacySpent => privateStep?.Card();

    /// <summary>The noise multiplier DP-SGD uses (given, or found for the target ε), or null when not private.</summary>
    public double? NoiseMultiplier => privateStep?.NoiseMultiplier;

    /// <summary>The float32 master copy the optimizers keep of a bfloat16 or float16 parameter; null for a float32 one.</summary>
    public Tensor? MasterWeight(TorchSharp.Modules.Parameter parameter) =>
        optimizers.Select(o => o.MasterOf(parameter)).FirstOrDefault(m => m is not null);

    /// <summary>Steps completed so far (the next step to run).</summary>
    public long Step { get; private set; }
    public ExponentialMovingAverage? Ema { get; }
    /// <summary>Evaluation callback: metrics such as <c>val_loss</c>. Called every <c>EvalEvery</c> steps and at the end.</summary>
    public Func<IReadOnlyDictionary<string, double>>? Evaluate { get; init; }
    /// <summary>Saves a checkpoint (the model plus <see cref="CaptureState"/>). Called periodically, at the end and on
    /// interruption.</summary>
    public Action<Trainer>? SaveCheckpoint { get; init; }
    public MetricsLog? Log { get; init; }
    public ITrainingProgress? Progress { get; init; }

    public TrainResult Run(CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        long firstStep = Step;   // after a resume, the rate comes from the steps this run has taken
        long examplesSinceLog = 0;
        var logClock = Stopwatch.StartNew();
        bool earlyStopped = false;
        while (Step < options.Steps)
        {
            var metrics = new JsonObject { ["step"] = Step + 1 };
            for (int p = 0; p < phases.Count; p++)
            {
                if (Step % phases[p].Every != 0)
                    continue;
                var (loss, examples, norm, extra) = RunPhase(p);
                examplesSinceLog += examples;
                if (double.IsFinite(loss)) lastLoss = loss;
                string prefix = phases.Count == 1 ? "" : phases[p].Name + "_";
                metrics[prefix + "loss"] = double.IsFinite(loss) ? loss : null;
                metrics[prefix + "lr"] = schedules[p].At(Step);
                metrics[prefix + "grad_norm"] = double.IsFinite(norm) ? norm : null;
                foreach (var (k, v) in extra) metrics[prefix + k] = v;
            }
            int emaEvery = phases[options.EmaPhase].Every;
            if (Step % emaEvery == 0) Ema?.Update(Step / emaEvery);
            Step++;
            bool last = Step == options.Steps;
            if (Step % options.LogEvery == 0 || last)
            {
                double seconds = Math.Max(logClock.Elapsed.TotalSeconds, 1e-9);
                metrics["examples_per_s"] = examplesSinceLog / seconds;
                metrics["elapsed_s"] = clock.Elapsed.TotalSeconds;
                if (phases.Count == 1) metrics["phase"] = phases[0].Name;
                if (PrivacySpent is { } spent) metrics["epsilon"] = spent.Epsilon;
                var eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / (Step - firstStep) * (options.Steps - Step));
                Progress?.Report(Step, options.Steps, lastLoss, examplesSinceLog / seconds, eta);
                examplesSinceLog = 0;
                logClock.Restart();
                if (options.EvalEvery > 0 && (Step % options.EvalEvery == 0 || last))
                    earlyStopped = RunEvaluation(metrics);
                Log?.Append(metrics);
            }
            else if (options.EvalEvery > 0 && Step % options.EvalEvery == 0)
            {
                earlyStopped = RunEvaluation(metrics);
                Log?.Append(metrics);
            }
            if (earlyStopped || cancellation.IsCancellationRequested)
                break;
            if (options.CheckpointEvery > 0 && Step % options.CheckpointEvery == 0 && !last)
                SaveCheckpoint?.Invoke(this);
        }
        SaveCheckpoint?.Invoke(this);
        return new TrainResult(Step, cancellation.IsCancellationRequested && Step < options.Steps, earlyStopped, lastLoss, bestMetric);
    }

    private (double Loss, long Examples, double GradNorm, Dictionary<string, double> Metrics) RunPhase(int p)
    {
        using var scope = torch.NewDisposeScope();
        var phase = phases[p];
        var optimizer = optimizers[p];
        optimizer.ZeroGrad();
        double total = 0;
        long examples = 0;
        var extra = new Dictionary<string, double>();
        if (privateStep is not null)
        {
            (total, examples, double meanNorm, extra) = privateStep.Run(Step);
            if (examples > 0 && !double.IsFinite(total))
                throw new LoomException($"loss became {Describe(total)} at step {Step + 1} (phase '{phase.Name}'); last finite loss "
                    + $"{MetricsLog.Format(lastLoss)}; try a lower LearningRate");
            optimizer.Step(schedules[p].At(Step));
            return (total, examples, meanNorm, extra);
        }
        for (int micro = 0; micro < options.AccumulationSteps; micro++)
        {
            using var microScope = torch.NewDisposeScope();
            var result = phase.Objective.Compute(Step, micro);
            double value = result.Loss.ToDouble();
            if (!double.IsFinite(value))
                throw new LoomException($"loss became {Describe(value)} at step {Step + 1} (phase '{phase.Name}'); last finite loss "
                    + $"{MetricsLog.Format(lastLoss)}; try a lower LearningRate or GradClip");
            (result.Loss / options.AccumulationSteps).backward();
            total += value / options.AccumulationSteps;
            examples += result.Examples;
            if (result.Metrics is not null)
                foreach (var (k, v) in result.Metrics) extra[k] = extra.GetValueOrDefault(k) + v / options.AccumulationSteps;
        }
        var grads = phase.Parameters.Where(x => x.grad is not null).ToList();
        double norm = grads.Count == 0 ? 0 : options.GradClip > 0
            ? torch.nn.utils.clip_grad_norm_(grads, options.GradClip)
            : Math.Sqrt(grads.Sum(x => x.grad!.pow(2).sum().ToDouble()));
        if (!double.IsFinite(norm))
            throw new LoomException($"gradient norm became {Describe(norm)} at step {Step + 1} (phase '{phase.Name}'); last finite loss "
                + $"{MetricsLog.Format(lastLoss)}; try a lower LearningRate or GradClip");
        optimizer.Step(schedules[p].At(Step));
        return (total, examples, norm, extra);
    }

    private bool RunEvaluation(JsonObject metrics)
    {
        if (Evaluate is null)
            return false;
        using var scope = torch.NewDisposeScope();
        var results = Evaluate();
        foreach (var (k, v) in results) metrics[k] = v;
        if (options.EarlyStoppingPatience <= 0 || !results.TryGetValue(options.EarlyStoppingMetric, out var value))
            return false;
        if (bestMetric is null || value < bestMetric - options.EarlyStoppingMinDelta)
        {
            bestMetric = value;
            evalsWithoutImprovement = 0;
            return false;
        }
        evalsWithoutImprovement++;
        return evalsWithoutImprovement >= options.EarlyStoppingPatience;
    }

    /// <summary>Everything needed to continue bit-for-bit on CPU, as JSON plus named tensors.</summary>
    public TrainerStateFiles CaptureState()
    {
        var tensors = new Dictionary<string, Tensor>();
        for (int p = 0; p < optimizers.Length; p++)
            optimizers[p].CaptureState($"optimizer.{p}.", tensors);
        Ema?.CaptureState("ema.", tensors);
        tensors["rng.cpu"] = torch.get_rng_state();
        var json = new JsonObject
        {
            ["step"] = Step,
            ["phases"] = new JsonArray(phases.Select(p => (JsonNode)p.Name).ToArray()),
            ["best_metric"] = bestMetric,
            ["evals_without_improvement"] = evalsWithoutImprovement,
            ["last_loss"] = double.IsFinite(lastLoss) ? lastLoss : null,
        };
        if (privateStep is not null)
        {
            json["privacy_steps"] = privateStep.Accountant.Steps;
            json["noise_multiplier"] = privateStep.NoiseMultiplier;
        }
        return new TrainerStateFiles(json, tensors);
    }

    public void RestoreState(TrainerStateFiles state)
    {
        var json = new ConfigValues(state.Json, "trainer-state.json");
        var names = json.Strings("phases", []);
        if (!names.SequenceEqual(phases.Select(p => p.Name)))
            throw new LoomDataException($"trainer state: phases [{string.Join(", ", names)}] do not match this run's "
                + $"[{string.Join(", ", phases.Select(p => p.Name))}]");
        Step = json.Long("step", 0, long.MaxValue);
        // Null is how CaptureState writes "none yet" for these two.
        bestMetric = state.Json["best_metric"] is null ? null : json.Double("best_metric", double.MinValue, double.MaxValue);
        evalsWithoutImprovement = json.Int("evals_without_improvement", 0, int.MaxValue, 0);
        lastLoss = state.Json["last_loss"] is null ? double.NaN : json.Double("last_loss", double.MinValue, double.MaxValue);
        if (privateStep is not null)
        {
            if (state.Json["privacy_steps"] is null)
                throw new LoomDataException("trainer state: the saved run did not train with DP-SGD, so its privacy cost is unknown");
            privateStep.RestoreSteps(json.Long("privacy_steps", 0, long.MaxValue), json.Double("noise_multiplier", 0, double.MaxValue));
        }
        for (int p = 0; p < optimizers.Length; p++)
            optimizers[p].RestoreState($"optimizer.{p}.", state.Tensors);
        Ema?.RestoreState("ema.", state.Tensors);
        if (state.Tensors.TryGetValue("rng.cpu", out var rng))
            torch.set_rng_state(rng);
    }

    private static string Describe(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";

    public void Dispose()
    {
        foreach (var o in optimizers) o.Dispose();
        Ema?.Dispose();
        privateStep?.Dispose();
    }
}
