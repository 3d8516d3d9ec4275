using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models.Adversarial.CycleGan;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// One CycleGAN training run on the shared trainer: log.jsonl + loss.png, checkpoints (the four networks as the model;
/// the live weights, both phases' Adam moments, the RNG and the two image pools in the trainer state) every N steps
/// and on Ctrl-C, exact resume, and translations.png at the end.
/// </summary>
public sealed class CycleGanRun(CycleGanModel model, CycleGanData data, CycleGanTrainingOptions options, string outDir, bool resume, string device)
{
    /// <summary>Updates the trainer skipped because a loss or gradient was not finite (libtorch's CPU convolution, docs/diffusion.md).</summary>
    public long SkippedSteps { get; private set; }

    public TrainResult Train()
    {
        Directory.CreateDirectory(outDir);
        long startStep = resume ? NetworkResume.SavedStep(outDir) : 0;
        var log = new MetricsLog(Path.Combine(outDir, Checkpoint.LogFile), startStep);
        using var progress = new ConsoleProgress("train cyclegan", Console.Error);
        using var training = new CycleGanTraining(model.Networks, data.A.Images, data.B.Images, options, model.Device);
        using var trainer = new Trainer(training.Phases, new TrainerOptions
        {
            Steps = options.Steps, Schedule = options.LearningRateSchedule, LogEvery = options.LogEvery,
            CheckpointEvery = options.CheckpointEvery, SkipNonFiniteGradients = true,
        })
        {
            Log = log, Progress = new TrainingProgressAdapter(progress), SaveCheckpoint = t => Save(t, training),
        };
        if (resume)
        {
            NetworkResume.Restore(outDir, model.Networks, trainer);
            using var scope = torch.NewDisposeScope();
            training.RestoreState(Checkpoint.ReadTrainerState(outDir).Tensors);
        }
        model.Networks.train();
        var result = trainer.Run(CliContext.Cancellation);
        SkippedSteps = trainer.SkippedSteps;
        model.Networks.eval();
        return result;
    }

    private void Save(Trainer t, CycleGanTraining training)
    {
        using var scope = torch.NewDisposeScope();
        var state = t.CaptureState();
        var tensors = new Dictionary<string, Tensor>(state.Tensors);
        foreach (var (name, p) in model.Networks.named_parameters()) tensors["model." + name] = p.detach().clone();
        training.CaptureState(tensors);
        Checkpoint.Save(outDir, model, new ModelCard
        {
            Data = [data.A.Provenance, data.B.Provenance], CommandLine = CliContext.CommandLine, Seed = options.Seed, Device = device,
            Metrics = new Dictionary<string, double> { ["step"] = t.Step },
        }, state with { Tensors = tensors });
        WriteLossCurve(outDir);
    }

    /// <summary>loss.png: both phases' losses and the unweighted cycle, identity and per-discriminator terms against step.</summary>
    public static void WriteLossCurve(string outDir)
    {
        var entries = MetricsLog.ReadFile(Path.Combine(outDir, Checkpoint.LogFile));
        var series = new List<Plots.Series>();
        foreach (var (key, label) in new[]
        {
            ("generators_loss", "generators (total)"), ("discriminators_loss", "discriminators (total)"),
            ("generators_cycle", "cycle L1"), ("generators_identity", "identity L1"),
            ("discriminators_d_a", "D_A"), ("discriminators_d_b", "D_B"),
        })
        {
            var points = entries.Where(e => e[key] is not null).ToList();
            if (points.Count > 0)
                series.Add(new Plots.Series(label, points.Select(e => e["step"]!.GetValue<double>()).ToList(), points.Select(e => e[key]!.GetValue<double>()).ToList()));
        }
        if (series.Count > 0)
            Plots.LossCurve(Path.Combine(outDir, "loss.png"), "cyclegan: LSGAN + cycle + identity", series, logY: true);
    }

    /// <summary>
    /// translations.png: rows are the first images of domain A, their A→B translations and the cycle back to A, then
    /// the same for domain B.
    /// </summary>
    public static string WritePreview(CycleGanModel model, CycleGanData data, string outDir, int perRow = 8)
    {
        var path = Path.Combine(outDir, "translations.png");
        using var scope = torch.NewDisposeScope();
        var a = data.First(domainA: true, perRow);
        var b = data.First(domainA: false, perRow);
        int columns = (int)Math.Min(a.shape[0], b.shape[0]);
        a = a.narrow(0, 0, columns);
        b = b.narrow(0, 0, columns);
        var (aToB, aBack) = model.Cycle(a, TranslationDirection.AtoB);
        var (bToA, bBack) = model.Cycle(b, TranslationDirection.BtoA);
        SampleGrid.Write(path, torch.cat([a, aToB, aBack, b, bToA, bBack], 0), columns: columns);
        return path;
    }
}
