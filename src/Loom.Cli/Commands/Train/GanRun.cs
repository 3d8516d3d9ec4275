using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Evaluation.Reference;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models.Adversarial;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// One GAN training run on the shared trainer (phases "discriminator" every step, "generator" every n_critic steps):
/// log.jsonl + loss.png, a fixed-noise sample picture every <c>sampleEvery</c> steps in <c>progress/</c>, failure
/// warnings from <see cref="GanDiagnostics"/> (printed once each, logged), checkpoints (both networks with their
/// buffers, optimizer moments, RNG) every N steps and on Ctrl-C, and exact resume.
/// </summary>
public sealed class GanRun(GanModel model, GanData data, GanTrainingOptions options, long sampleEvery, string outDir, bool resume, string device)
{
    private readonly GanDiagnostics diagnostics = new();
    private Trainer? current;
    private readonly HashSet<string> reported = new(StringComparer.Ordinal);
    private GanPhases? phases;
    private MetricsLog? log;
    private ReferenceClassifier? classifier;
    private bool classifierTried;

    /// <summary>Updates the trainer skipped because the loss or gradient was not finite (convolutional networks).</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>The warnings raised, one per kind, in order.</summary>
    public List<GanWarning> Warnings { get; } = [];

    public TrainResult Train()
    {
        Directory.CreateDirectory(outDir);
        long startStep = resume ? NetworkResume.SavedStep(outDir) : 0;
        log = new MetricsLog(Path.Combine(outDir, Checkpoint.LogFile), startStep);
        using var progress = new ConsoleProgress($"train gan ({GanLosses.Name(model.Config.Loss)})", Console.Error);
        phases = GanTraining.CreatePhases(model, data.Set, options, DeviceSelector.Parse(device));
        long evalEvery = sampleEvery > 0 ? Gcd(options.LogEvery, sampleEvery) : options.LogEvery;
        using var trainer = new Trainer(phases.All, GanTraining.TrainerOptions(model, options, evalEvery))
        {
            Log = log, Progress = new TrainingProgressAdapter(progress), SaveCheckpoint = Save, Evaluate = () => Monitor(current!.Step),
        };
        current = trainer;
        if (resume)
            Restore(trainer);
        // The MLP networks are hundreds of tiny ops per step: a second OpenMP thread costs more than it gives (far more on a busy machine).
        int threads = torch.get_num_threads();
        if (model.Config.Network == "mlp") torch.set_num_threads(1);
        try
        {
            model.Generator.train();
            model.Discriminator.train();
            var result = trainer.Run(CliContext.Cancellation);
            SkippedSteps = trainer.SkippedSteps;
            trainer.Ema?.SwapIn();   // the model keeps the generator's average from here on
            return result;
        }
        finally
        {
            torch.set_num_threads(threads);
            model.Generator.eval();
            model.Discriminator.eval();
            classifier?.Dispose();
        }
    }

    /// <summary>
    /// Called by the trainer at log and sample steps: fills in the latest generator loss and gradient norm on steps the
    /// generator did not run, feeds the detectors, and at sample steps writes the progress picture and measures diversity.
    /// </summary>
    private Dictionary<string, double> Monitor(long step)
    {
        var metrics = new Dictionary<string, double>();
        double discriminatorNorm = GradientNorm(model.Discriminator), generatorNorm = GradientNorm(model.Generator);
        bool generatorRan = (step - 1) % options.CriticSteps == 0;
        if (!generatorRan && double.IsFinite(phases!.GeneratorObjective.LastLoss))
        {
            metrics["generator_loss"] = phases.GeneratorObjective.LastLoss;
            metrics["generator_grad_norm"] = generatorNorm;
        }
        Report(step, diagnostics.ObserveDiscriminatorLoss(model.Config.Loss, phases!.DiscriminatorObjective.LastLoss));
        Report(step, diagnostics.ObserveGradientNorm("discriminator", discriminatorNorm));
        if (generatorRan)
            Report(step, diagnostics.ObserveGradientNorm("generator", generatorNorm));
        if ((sampleEvery > 0 && step % sampleEvery == 0) || step == options.Steps)
            CheckSamples(step, metrics);
        return metrics;
    }

    private void CheckSamples(long step, Dictionary<string, double> metrics)
    {
        var (latents, labels) = FixedNoise(model, options.Seed);
        var samples = WithAverage(current, () => model.Decode(latents, labels));
        WritePicture(model, data, samples, Path.Combine(outDir, "progress", $"step-{step:D6}.png"));
        bool warm = step * 5 >= options.Steps && step >= 500;   // early samples are blobs: judge collapse from a fifth of the run and step 500 on
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
        if (!classifierTried && data.Name.StartsWith(Data.FashionMnist.Name, StringComparison.Ordinal))
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
        Console.Error.WriteLine($"warning: step {step}: {warning.Message}");
        log?.Append(new JsonObject { ["step"] = step, ["warning"] = warning.Kind, ["message"] = warning.Message });
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
    private static T WithAverage<T>(Trainer? trainer, Func<T> body)
    {
        trainer?.Ema?.SwapIn();
        try { return body(); }
        finally { trainer?.Ema?.SwapIn(); }
    }

    /// <summary>The checkpoint's model holds the generator's average (when kept); the trainer state holds the live weights.</summary>
    private void Save(Trainer t)
    {
        var state = t.CaptureState();
        var tensors = new Dictionary<string, Tensor>(state.Tensors);
        foreach (var (name, tensor) in model.GetState()) tensors["model." + name] = tensor.detach().clone();
        WithAverage(t, () =>
        {
            Checkpoint.Save(outDir, model, new ModelCard
            {
                Data = [data.Provenance], CommandLine = CliContext.CommandLine, Seed = options.Seed, Device = device,
                Metrics = new Dictionary<string, double> { ["step"] = t.Step },
                Notes = GanTraining.AverageNote(options.GeneratorEma),
            }, state with { Tensors = tensors });
            return 0;
        });
        WriteLossCurve(MetricsLog.ReadFile(Path.Combine(outDir, Checkpoint.LogFile)), Path.Combine(outDir, "loss.png"), $"GAN ({GanLosses.Name(model.Config.Loss)}) losses");
    }

    private void Restore(Trainer trainer)
    {
        var state = Checkpoint.ReadTrainerState(outDir);
        try
        {
            model.LoadState(state.Tensors, "--resume", "model.");
        }
        catch (LoomDataException e)
        {
            throw new LoomDataException($"{e.Message}; {outDir} holds a different model — same options and data?");
        }
        trainer.RestoreState(state);
    }

    /// <summary>The discriminator and generator losses against step (the latest generator loss on critic-only steps).</summary>
    public static void WriteLossCurve(IReadOnlyList<JsonObject> entries, string path, string title)
    {
        var series = new List<Plots.Series>();
        foreach (var network in new[] { "discriminator", "generator" })
        {
            var points = entries.Where(e => e[network + "_loss"] is not null).ToList();
            if (points.Count > 0)
                series.Add(new Plots.Series(network, points.Select(e => e["step"]!.GetValue<double>()).ToList(), points.Select(e => e[network + "_loss"]!.GetValue<double>()).ToList()));
        }
        if (series.Count > 0)
            Plots.LossCurve(path, title, series);
    }

    /// <summary>
    /// The fixed noise of the progress pictures and samples.png: latents from the seed, 8 per class in rows for a
    /// conditional model, 64 images or 1,000 points otherwise.
    /// </summary>
    public static (Tensor Latents, Tensor? Labels) FixedNoise(GanModel model, long seed)
    {
        int count = model.NumClasses > 0 ? model.NumClasses * 8 : model.Config.Images ? 64 : 1000;
        return (model.Latents(count, seed), model.Labels(count, null));
    }

    /// <summary>Writes samples.png from the fixed noise; returns its path, or "" for vectors that are not 2-D.</summary>
    public static string WritePreview(GanModel model, GanData? data, string outDir, long seed)
    {
        using var scope = torch.NewDisposeScope();
        var (latents, labels) = FixedNoise(model, seed);
        return WritePicture(model, data, model.Decode(latents, labels), Path.Combine(outDir, "samples.png"));
    }

    private static string WritePicture(GanModel model, GanData? data, Tensor samples, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (model.Config.Images)
        {
            SampleGrid.Write(path, samples, columns: 8);
            return path;
        }
        if (samples.shape[1] != 2)
            return "";
        var sets = new List<(string, Tensor)>();
        if (data is not null) sets.Add(("data", data.Rows(Enumerable.Range(0, (int)Math.Min(2000, data.Set.Count)).Select(i => (long)i).ToArray())));
        sets.Add(("samples", samples));
        Plots.Scatter(path, "GAN samples vs data", sets);
        return path;
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
}
