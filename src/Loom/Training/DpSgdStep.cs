using Loom.Core;
using Loom.Privacy;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Training;

/// <summary>
/// One DP-SGD update of a phase (Abadi et al. 2016): the objective's per-example losses on a Poisson-sampled batch, each
/// example's gradient clipped to norm C (<see cref="PerSampleGradients"/>), their sum plus N(0, σ²C²) noise divided by the
/// expected batch size, then the phase's optimizer. The <see cref="RdpAccountant"/> records every step, including the
/// steps whose batch came out empty (their update is noise alone).
/// </summary>
internal sealed class DpSgdStep : IDisposable
{
    private readonly TrainingPhase phase;
    private readonly PrivateTraining settings;
    private readonly PerSampleGradients hooks;

    public DpSgdStep(TrainingPhase phase, PrivateTraining settings, long totalSteps)
    {
        if (phase.Model is null)
            throw new LoomUsageException($"DP-SGD needs the model of phase '{phase.Name}' to form per-example gradients");
        this.phase = phase;
        this.settings = settings;
        hooks = new PerSampleGradients(phase.Model, phase.Parameters);
        NoiseMultiplier = settings.Options.ResolveNoise(settings.SampleRate, totalSteps);
    }

    public double NoiseMultiplier { get; }

    public RdpAccountant Accountant { get; } = new();

    /// <summary>The model card's record of what the steps so far spent.</summary>
    public PrivacyCard Card()
    {
        var spent = NoiseMultiplier > 0 && Accountant.Steps > 0 ? Accountant.Spent(settings.Options.Delta) : null;
        double? epsilon = NoiseMultiplier == 0 && Accountant.Steps > 0 ? null : spent?.Epsilon ?? 0;
        return new PrivacyCard(epsilon, settings.Options.Delta, NoiseMultiplier, settings.Options.MaxGradNorm, settings.SampleRate,
            Accountant.Steps, spent?.BestOrder);
    }

    /// <summary>Records the steps a resumed run took before, with the noise multiplier they used.</summary>
    public void RestoreSteps(long steps, double noiseMultiplier)
    {
        if (steps > 0 && noiseMultiplier > 0) Accountant.Record(noiseMultiplier, settings.SampleRate, steps);
    }

    /// <summary>Computes the private gradient into each parameter's <c>grad</c>: (loss, examples, mean per-example norm,
    /// metrics).</summary>
    public (double Loss, long Examples, double GradNorm, Dictionary<string, double> Metrics) Run(long step)
    {
        hooks.Clear();
        var result = phase.Objective.Compute(step, 0);
        var perExample = result.PerExampleLoss
            ?? throw new LoomUsageException($"phase '{phase.Name}' gives no per-example losses, which DP-SGD needs");
        long n = perExample.shape[0];
        double clip = settings.Options.MaxGradNorm;
        var sums = new Dictionary<TorchSharp.Modules.Parameter, Tensor>(ReferenceEqualityComparer.Instance);
        double meanNorm = 0, clipped = 0;
        if (n > 0)
        {
            perExample.sum().backward();
            var norms = hooks.SquaredNorms().sqrt();
            var factors = (clip / (norms + 1e-6)).clamp_max(1.0);
            meanNorm = norms.mean().ToDouble();
            clipped = (norms > clip).to(ScalarType.Float64).mean().ToDouble();
            foreach (var (parameter, sum) in hooks.WeightedSum(factors)) sums[parameter] = sum;
            // A layer run through forward() instead of call() skips its hook: its gradient would silently be lost.
            var missed = phase.Parameters.FirstOrDefault(p => !sums.ContainsKey(p) && p.grad is { } g && g.abs().max().ToDouble() > 0);
            if (missed is not null)
                throw new LoomUsageException($"DP-SGD saw no per-example gradients for a trained [{string.Join(", ", missed.shape)}] "
                    + "parameter that has a gradient; its layer must run through call() so its forward hook fires");
        }
        using (torch.no_grad())
        {
            foreach (var parameter in phase.Parameters)
            {
                var gradient = sums.TryGetValue(parameter, out var sum) ? sum.to(parameter.dtype) : torch.zeros_like(parameter);
                if (NoiseMultiplier > 0)
                    gradient = gradient + torch.randn_like(parameter) * (NoiseMultiplier * clip);
                gradient = gradient / settings.ExpectedBatchSize;
                if (parameter.grad is { } grad)
                    grad.copy_(gradient);
                else
                    parameter.grad = gradient.detach().clone().DetachFromDisposeScope();
            }
        }
        hooks.Clear();
        if (NoiseMultiplier > 0) Accountant.Record(NoiseMultiplier, settings.SampleRate);
        var metrics = new Dictionary<string, double>(result.Metrics ?? new Dictionary<string, double>())
        {
            ["batch"] = n, ["clipped_fraction"] = clipped,
        };
        double loss = n > 0 ? result.Loss.ToDouble() : double.NaN;
        return (loss, n, meanNorm, metrics);
    }

    public void Dispose() => hooks.Dispose();
}
