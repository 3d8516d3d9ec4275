using System.Diagnostics;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models.Diffusion.Samplers;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Models.Diffusion.Distillation;

/// <summary>
/// Progressive distillation (Salimans &amp; Ho 2022): round k trains a student, initialised from the previous round's
/// model, to match two deterministic DDIM steps of that model with one (<see cref="ProgressiveDistillationObjective"/>),
/// halving the steps each round. Every finished round is saved as a complete checkpoint in <c>OUT/round-k</c> (written
/// file by file through temporary names, config.json last), and the last one again in <c>OUT</c> itself. The students'
/// config.json records their DDIM step count as the default sampler (trailing spacing, η = 0), so sampling a student
/// uses its own steps unless told otherwise, and <see cref="DistillationRecord"/> says how it was made. A resumed run
/// (<see cref="TrainingContext.Resume"/>) loads the rounds already finished and continues with the next; cancelling
/// stops the running round without saving it.
/// </summary>
public static class ProgressiveDistillation
{
    /// <summary>The folder round <paramref name="round"/> (1-based) saves its student to.</summary>
    public static string RoundFolder(string output, int round) => Path.Combine(output, $"round-{round}");

    public static DistillationOutcome Run(ProgressiveDistillationOptions options, TrainingContext context)
    {
        options = options.Clone().Validate();
        var teacher = LoadTeacher(options.Teacher, context.Device);
        var current = teacher;
        try
        {
            var config = teacher.Config;
            if (options.StartSteps > config.Timesteps)
                throw LoomUsageException.ForOption(nameof(options.StartSteps),
                    $"{options.StartSteps} is more than the teacher's {config.Timesteps} training timesteps");
            var data = LoadData(options, config);
            using var folder = new RunFolder(context);
            ClaimRounds(context);
            context.Say($"distillation: teacher {options.Teacher} ({config.Network}, {Predictions.Name(config.Prediction)}-prediction), "
                + $"{options.StartSteps} → {options.StepsAfter(options.Rounds)} DDIM steps in {options.Rounds} rounds of "
                + $"{options.RoundSteps} steps; {data.Set.Count:N0} training examples");
            var rounds = new List<DistillationRound>();
            for (int round = 1; round <= options.Rounds; round++)
            {
                var (student, finished) = context.Resume && FinishedRound(options, round, context) is { } saved
                    ? (saved.Model, saved.Round)
                    : TrainRound(current, round, options, data, folder, context);
                if (finished is null)
                    return new DistillationOutcome(current, rounds, Interrupted: true);
                rounds.Add(finished);
                current.Dispose();
                current = student;
                context.Say($"round {round}/{options.Rounds}: {finished.TeacherSteps} → {finished.StudentSteps} steps"
                    + (finished.Resumed ? $", already in {finished.Folder}" : $", loss {finished.FinalLoss:G4}, {finished.Seconds:F0} s, "
                        + $"saved {finished.Folder}"));
            }
            Checkpoint.Save(context.OutputFolder, current, Card(folder, data, options, options.Rounds, rounds));
            return new DistillationOutcome(current, rounds, Interrupted: false);
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }

    private static DiffusionModel LoadTeacher(string path, torch.Device device)
    {
        if (!Directory.Exists(path))
            throw LoomUsageException.ForOption(nameof(ProgressiveDistillationOptions.Teacher), $"{path}: no such checkpoint folder");
        var model = Checkpoint.Load(path, device);
        if (model is DiffusionModel diffusion)
            return diffusion;
        string kind = model.Kind;
        model.Dispose();
        throw LoomUsageException.ForOption(nameof(ProgressiveDistillationOptions.Teacher),
            $"{path} holds a '{kind}' model; progressive distillation needs a diffusion model");
    }

    private static DiffusionData LoadData(ProgressiveDistillationOptions options, DiffusionConfig config)
    {
        var spec = string.IsNullOrWhiteSpace(options.Data) ? config.DataName : options.Data;
        if (string.IsNullOrWhiteSpace(spec))
            throw LoomUsageException.ForOption(nameof(options.Data), "the teacher's config names no training data; name it");
        var data = DiffusionData.Load(spec, config.NumClasses > 0, options.Points, options.Seed);
        if (!data.SampleShape.SequenceEqual(config.SampleShape))
            throw LoomUsageException.ForOption(nameof(options.Data), $"'{spec}' has samples of [{string.Join(", ", data.SampleShape)}]; "
                + $"the teacher makes [{string.Join(", ", config.SampleShape)}]");
        return data;
    }

    /// <summary>A new run must not mix its rounds with another run's: refuse, or with Overwrite remove the old rounds.</summary>
    private static void ClaimRounds(TrainingContext context)
    {
        if (context.Resume)
            return;
        var old = Directory.EnumerateDirectories(context.OutputFolder, "round-*")
            .Where(d => int.TryParse(Path.GetFileName(d)["round-".Length..], out _)).ToList();
        if (old.Count == 0)
            return;
        if (!context.Overwrite)
            throw LoomUsageException.ForOption(nameof(TrainingContext.OutputFolder),
                $"{context.OutputFolder} holds rounds of a distillation run; continue it with Resume, replace it with Overwrite, "
                    + "or choose another folder");
        foreach (var dir in old) Directory.Delete(dir, recursive: true);
    }

    /// <summary>The student of a round a resumed run finds saved, or null when the round has to be trained.</summary>
    private static (DiffusionModel Model, DistillationRound Round)? FinishedRound(ProgressiveDistillationOptions options, int round,
        TrainingContext context)
    {
        var dir = RoundFolder(context.OutputFolder, round);
        if (!File.Exists(Path.Combine(dir, Checkpoint.ConfigFile)))
            return null;
        var model = Checkpoint.Load(dir, context.Device) as DiffusionModel
            ?? throw new LoomDataException($"{dir}: not a diffusion checkpoint");
        int expected = options.StepsAfter(round);
        if (model.Config.Distillation?.Steps != expected)
        {
            model.Dispose();
            throw LoomUsageException.ForOption(nameof(TrainingContext.Resume),
                $"{dir} holds a student for {model.Config.DefaultSampler.Steps} steps, not {expected}; the run used other StartSteps "
                    + "or Rounds");
        }
        var card = Checkpoint.ReadCard(dir);
        return (model, new DistillationRound(round, options.StepsAfter(round - 1), expected, dir,
            card.Metrics.GetValueOrDefault("final_loss", double.NaN), card.Metrics.GetValueOrDefault("train_seconds"), Resumed: true));
    }

    /// <summary>Trains round <paramref name="round"/>'s student from <paramref name="teacher"/>; null round when cancelled.</summary>
    private static (DiffusionModel Student, DistillationRound? Round) TrainRound(DiffusionModel teacher, int round,
        ProgressiveDistillationOptions options, DiffusionData data, RunFolder folder, TrainingContext context)
    {
        int teacherSteps = options.StepsAfter(round - 1), studentSteps = options.StepsAfter(round);
        var student = CreateStudent(teacher, options, round, context.Device);
        try
        {
            long seed = options.Seed + round;
            Seeding.SeedEverything(seed);
            var levels = SamplingPlan.Levels(teacher.Schedule, teacherSteps, TimestepSpacing.Trailing);
            var objective = new ProgressiveDistillationObjective(teacher.Network, student.Network, teacher.Config.Prediction, levels,
                data.Set, options, teacher.Pipeline.ClipRange, context.Device, seed, RoundGuidance(options, round));
            var dir = RoundFolder(context.OutputFolder, round);
            Directory.CreateDirectory(dir);
            var logPath = Path.Combine(dir, Checkpoint.LogFile);
            if (File.Exists(logPath)) File.Delete(logPath);   // an unfinished earlier try of this round
            var parameters = student.Network.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
            var phase = new TrainingPhase($"distill-{studentSteps}", objective, parameters,
                new OptimizerOptions { LearningRate = options.LearningRate }, Model: student.Network);
            using var trainer = new Trainer([phase], new TrainerOptions
            {
                Steps = options.RoundSteps, Schedule = ScheduleKind.Linear, GradClip = 1.0, EmaDecay = options.EmaDecay, EmaWarmup = true,
                LogEvery = Math.Min(10, options.RoundSteps),
            })
            {
                Log = new MetricsLog(logPath),
                Progress = context.Progress,
            };
            context.Say($"round {round}/{options.Rounds}: distilling {teacherSteps} → {studentSteps} DDIM steps");
            var watch = Stopwatch.StartNew();
            teacher.Network.eval();
            student.Network.train();
            var result = trainer.Run(context.Cancellation);
            student.Network.eval();
            if (result.Interrupted)
            {
                student.Dispose();
                return (teacher, null);
            }
            trainer.Ema?.SwapIn();
            var finished = new DistillationRound(round, teacherSteps, studentSteps, dir, result.LastLoss, watch.Elapsed.TotalSeconds,
                Resumed: false);
            Checkpoint.Save(dir, student, Card(folder, data, options, round, [finished]));
            return (student, finished);
        }
        catch
        {
            student.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A student initialised with the teacher's weights whose config samples in the halved steps by default. Guidance
    /// distilled into the student becomes its default of 1.
    /// </summary>
    private static DiffusionModel CreateStudent(DiffusionModel teacher, ProgressiveDistillationOptions options, int round,
        torch.Device device)
    {
        var earlier = teacher.Config.Distillation;
        double guidance = RoundGuidance(options, round);
        var config = teacher.Config with
        {
            DefaultSampler = new SamplerOptions { Sampler = "ddim", Steps = options.StepsAfter(round), Spacing = TimestepSpacing.Trailing },
            DefaultGuidance = guidance == 1.0 ? teacher.Config.DefaultGuidance : 1.0,
            Distillation = new DistillationRecord(earlier?.TeacherSteps ?? options.StartSteps, options.StepsAfter(round),
                (earlier?.Rounds ?? 0) + 1, guidance * (earlier?.Guidance ?? 1.0)),
        };
        var network = config.CreateNetwork();
        try
        {
            ModuleParameters.CopyFrom(network, teacher.GetState(), "teacher");
            network.to(device);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return new DiffusionModel(config, network);
    }

    /// <summary>The teacher's guidance in a round: the first round bakes it into its student, later ones distil that student.</summary>
    private static double RoundGuidance(ProgressiveDistillationOptions options, int round) => round == 1 ? options.Guidance : 1.0;

    private static ModelCard Card(RunFolder folder, DiffusionData data, ProgressiveDistillationOptions options, int round,
        IReadOnlyList<DistillationRound> rounds)
    {
        var last = rounds[^1];
        var metrics = new Dictionary<string, double>
        {
            ["round"] = round, ["teacher_steps"] = last.TeacherSteps, ["sampler_steps"] = last.StudentSteps,
            ["steps"] = options.RoundSteps, ["final_loss"] = last.FinalLoss, ["train_seconds"] = rounds.Sum(r => r.Seconds),
        };
        return folder.Card([data.Provenance], options.Seed, metrics,
            $"progressive distillation of {options.Teacher}: round {round} of {options.Rounds}, {options.StartSteps} → "
                + $"{last.StudentSteps} DDIM steps (trailing, η = 0), teacher guidance {options.Guidance}");
    }
}
