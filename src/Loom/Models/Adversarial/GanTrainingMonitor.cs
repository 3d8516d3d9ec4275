using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Evaluation.Reference;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>
/// Watches a GAN run at its log and sample steps: fills in the latest generator loss and gradient norm on steps the
/// generator did not run, feeds <see cref="GanDiagnostics"/> (each kind of warning reported once through the context's
/// messages and logged), and at sample steps draws the fixed-noise progress picture and measures diversity (and, on
/// Fashion-MNIST, the class histogram of the bundled reference classifier). It uses its own random generator and
/// evaluation mode, so it does not disturb the run.
/// </summary>
public sealed class GanTrainingMonitor(GanModel model, GanData data, GanTrainingOptions options, long sampleEvery, string folder,
    GanPhases phases, MetricsLog log, TrainingContext context) : IDisposable
{
    private readonly GanDiagnostics diagnostics = new();
    private readonly HashSet<string> reported = new(StringComparer.Ordinal);
    private ReferenceClassifier? classifier;
    private bool classifierTried;

    /// <summary>The warnings raised, one per kind, in order.</summary>
    public List<GanWarning> Warnings { get; } = [];

    /// <summary>How often the trainer calls <see cref="Observe"/>: every log step and every sample step.</summary>
    public long EvaluateEvery => sampleEvery > 0 ? Gcd(options.LogEvery, sampleEvery) : options.LogEvery;

    /// <summary>The metrics <paramref name="trainer"/> adds to this step's log line.</summary>
    public Dictionary<string, double> Observe(Trainer trainer)
    {
        long step = trainer.Step;
        var metrics = new Dictionary<string, double>();
        double discriminatorNorm = GradientNorm(model.Discriminator), generatorNorm = GradientNorm(model.Generator);
        bool generatorRan = (step - 1) % options.CriticSteps == 0;
        if (!generatorRan && double.IsFinite(phases.GeneratorObjective.LastLoss))
        {
            metrics["generator_loss"] = phases.GeneratorObjective.LastLoss;
            metrics["generator_grad_norm"] = generatorNorm;
        }
        Report(step, diagnostics.ObserveDiscriminatorLoss(model.Config.Loss, phases.DiscriminatorObjective.LastLoss));
        Report(step, diagnostics.ObserveGradientNorm("discriminator", discriminatorNorm));
        if (generatorRan)
            Report(step, diagnostics.ObserveGradientNorm("generator", generatorNorm));
        if ((sampleEvery > 0 && step % sampleEvery == 0) || step == options.Steps)
            CheckSamples(trainer, step, metrics);
        return metrics;
    }

    private void CheckSamples(Trainer trainer, long step, Dictionary<string, double> metrics)
    {
        var (latents, labels) = GanPictures.FixedNoise(model, options.Seed);
        var samples = WithAverage(trainer, () => model.Decode(latents, labels));
        GanPictures.Write(model, data, samples, GanPictures.ProgressPath(folder, step));
        // Early samples are blobs: judge collapse from a fifth of the run and step 500 on.
        bool warm = step * 5 >= options.Steps && step >= 500;
        using (var g = Seeding.Generator(options.Seed, "gan:reference"))
        {
            var rows = torch.randperm(data.Set.Count, generator: g).narrow(0, 0, Math.Min(data.Set.Count, samples.shape[0]));
            double ratio = GanDiagnostics.DiversityRatio(samples, data.Set.Get(rows)[0]);
            metrics["diversity"] = ratio;
            if (warm) Report(step, diagnostics.CheckDiversity(ratio));
        }
        if (model.Config.Images && data.DataClasses > 1 && Classifier() is { } reference)
        {
            var predicted = reference.Logits(samples).argmax(1);
            var counts = torch.bincount(predicted, minlength: reference.ClassCount).data<long>().ToArray();
            metrics["class_max_share"] = (double)counts.Max() / counts.Sum();
            if (warm) Report(step, diagnostics.CheckClassHistogram(counts, data.DataClasses));
        }
    }

    private ReferenceClassifier? Classifier()
    {
        if (!classifierTried && data.Name.StartsWith(Loom.Data.FashionMnist.Name, StringComparison.Ordinal))
        {
            classifierTried = true;
            try { classifier = ReferenceClassifier.LoadBundled(); }
            catch (LoomException) { classifier = null; }   // the class check is skipped without the reference network
        }
        return classifier;
    }

    private void Report(long step, GanWarning? warning)
    {
        if (warning is null || !reported.Add(warning.Kind))
            return;
        Warnings.Add(warning);
        context.Say($"warning: step {step}: {warning.Message}");
        log.Append(new JsonObject { ["step"] = step, ["warning"] = warning.Kind, ["message"] = warning.Message });
    }

    private static double GradientNorm(nn.Module module)
    {
        using var scope = torch.NewDisposeScope();
        double sum = 0;
        foreach (var p in module.parameters())
            if (p.grad is { } g) sum += g.square().sum().ToDouble();
        return Math.Sqrt(sum);
    }

    /// <summary>Runs <paramref name="body"/> with the generator's EMA weights swapped in (if the run keeps an average).</summary>
    private static T WithAverage<T>(Trainer trainer, Func<T> body)
    {
        trainer.Ema?.SwapIn();
        try { return body(); }
        finally { trainer.Ema?.SwapIn(); }
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);

    public void Dispose() => classifier?.Dispose();
}
