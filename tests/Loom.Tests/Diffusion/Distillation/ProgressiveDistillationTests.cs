using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Distillation;
using Loom.Models.Diffusion.Samplers;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Diffusion.Distillation;

/// <summary>A v-prediction MLP teacher on 2-D data, trained once for the distillation tests (a few seconds).</summary>
public sealed class TwoDTeacher : IDisposable
{
    public TwoDTeacher()
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            using var outcome = DiffusionTrainingRun.Train(new DiffusionRecipe
            {
                Data = "8gaussians", Points = 4000, Steps = 800, BatchSize = 256, LearningRate = 2e-3, Warmup = 50, Width = 64, Layers = 2,
                Prediction = "v", NoiseSchedule = "cosine", Ema = 0.99, CheckpointEvery = 0, Seed = 1,
            }, new TrainingContext { OutputFolder = Folder.File("teacher") });
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    private TempFolder Folder { get; } = new();
    public string Path => Folder.File("teacher");

    public void Dispose() => Folder.Dispose();
}

/// <summary>
/// Progressive distillation on 2-D data: one round makes an N/2-step student that follows the teacher's N-step DDIM
/// path from the same noise more closely than the teacher's own N/2-step DDIM does; the student's checkpoint records its
/// steps and loads as an ordinary diffusion model; rounds resume; options are checked.
/// </summary>
public sealed class ProgressiveDistillationTests(TwoDTeacher teacher) : IClassFixture<TwoDTeacher>
{
    private static ProgressiveDistillationOptions Options(string teacherPath) => new()
    {
        Teacher = teacherPath, StartSteps = 8, Rounds = 1, RoundSteps = 400, LearningRate = 1e-3, BatchSize = 256, Points = 4000, Seed = 2,
    };

    private static DistillationOutcome Distil(ProgressiveDistillationOptions options, string output, bool resume = false)
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            return ProgressiveDistillation.Run(options, new TrainingContext { OutputFolder = output, Resume = resume });
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    private static Tensor Ddim(DiffusionModel model, Tensor noise, int steps) => model.Generate(new DiffusionRequest
    {
        Count = (int)noise.shape[0], InitialNoise = noise,
        Sampler = new SamplerOptions { Sampler = "ddim", Steps = steps, Spacing = TimestepSpacing.Trailing },
    });

    [Fact]
    public void After_one_round_the_half_step_student_follows_the_teachers_path_closer_than_half_step_ddim()
    {
        using var tmp = new TempFolder();
        using var outcome = Distil(Options(teacher.Path), tmp.File("student"));
        Assert.False(outcome.Interrupted);
        using var original = (DiffusionModel)Checkpoint.Load(teacher.Path);
        using var noise = torch.randn([2000, 2], generator: new torch.Generator(11));
        using var reference = Ddim(original, noise, 8);
        using var undistilled = Ddim(original, noise, 4);
        using var student = Ddim(outcome.Model, noise, 4);
        double ddimError = (undistilled - reference).square().mean().ToDouble();
        double studentError = (student - reference).square().mean().ToDouble();
        Assert.True(studentError < 0.5 * ddimError,
            $"4-step student MSE to the 8-step teacher {studentError:G4}, 4-step DDIM {ddimError:G4}");
    }

    [Fact]
    public void The_student_checkpoint_records_its_steps_loads_and_samples_with_them_by_default()
    {
        using var tmp = new TempFolder();
        var output = tmp.File("student");
        using (var outcome = Distil(Options(teacher.Path), output)) Assert.Single(outcome.Rounds);
        foreach (var folder in new[] { output, ProgressiveDistillation.RoundFolder(output, 1) })
        {
            using var loaded = (DiffusionModel)Checkpoint.Load(folder);
            Assert.Equal(new SamplerOptions { Sampler = "ddim", Steps = 4, Spacing = TimestepSpacing.Trailing },
                loaded.Config.DefaultSampler);
            Assert.Equal(new DistillationRecord(TeacherSteps: 8, Steps: 4, Rounds: 1, Guidance: 1.0), loaded.Config.Distillation);
            var config = DiffusionConfig.FromJson(Checkpoint.ReadConfig(folder).Config);
            Assert.Equal(loaded.Config.Distillation, config.Distillation);
            int total = 0;
            using var samples = (TensorSamples)loaded.Sample(new SampleRequest { Count = 3, Seed = 1 },
                new SynchronousProgressProbe(p => total = (int)p.Total), CancellationToken.None);
            Assert.Equal(4, total);
            Assert.True(torch.isfinite(samples.Values).all().item<bool>());
        }
        // The undistilled teacher's config has no record.
        Assert.Null(DiffusionConfig.FromJson(Checkpoint.ReadConfig(teacher.Path).Config).Distillation);
    }

    [Fact]
    public void A_resumed_run_keeps_its_finished_rounds_and_trains_the_next()
    {
        using var tmp = new TempFolder();
        var output = tmp.File("student");
        var firstOnly = new ProgressiveDistillationOptions
        {
            Teacher = teacher.Path, StartSteps = 8, Rounds = 1, RoundSteps = 20, BatchSize = 64, Points = 4000, Seed = 2,
        };
        using (Distil(firstOnly, output)) { }
        var roundOne = File.ReadAllBytes(Path.Combine(ProgressiveDistillation.RoundFolder(output, 1), Checkpoint.ModelFile));
        // Without Resume the folder is refused; with it round 1 is loaded, not trained again.
        var refused = Assert.Throws<LoomUsageException>(() => Distil(firstOnly, output));
        Assert.Equal("OutputFolder", refused.Option);
        var both = new ProgressiveDistillationOptions
        {
            Teacher = teacher.Path, StartSteps = 8, Rounds = 2, RoundSteps = 20, BatchSize = 64, Points = 4000, Seed = 2,
        };
        using (var resumed = Distil(both, output, resume: true))
        {
            Assert.Equal([true, false], resumed.Rounds.Select(r => r.Resumed));
            Assert.Equal(2, resumed.Model.Config.DefaultSampler.Steps);
            Assert.Equal(2, resumed.Model.Config.Distillation!.Rounds);
        }
        Assert.Equal(roundOne, File.ReadAllBytes(Path.Combine(ProgressiveDistillation.RoundFolder(output, 1), Checkpoint.ModelFile)));
        // Resuming with other steps refuses the saved round.
        var other = new ProgressiveDistillationOptions
        {
            Teacher = teacher.Path, StartSteps = 16, Rounds = 2, RoundSteps = 20, Points = 4000,
        };
        Assert.Equal("Resume", Assert.Throws<LoomUsageException>(() => Distil(other, output, resume: true)).Option);
    }

    [Fact]
    public void Cancelling_stops_the_round_without_saving_it()
    {
        using var tmp = new TempFolder();
        using var stop = new CancellationTokenSource();
        var output = tmp.File("student");
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            using var outcome = ProgressiveDistillation.Run(Options(teacher.Path), new TrainingContext
            {
                OutputFolder = output, Cancellation = stop.Token, Progress = new CancelOnReport(stop),
            });
            Assert.True(outcome.Interrupted);
            Assert.Empty(outcome.Rounds);
            Assert.Null(outcome.Model.Config.Distillation);   // the teacher, as it was
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        Assert.False(File.Exists(Path.Combine(ProgressiveDistillation.RoundFolder(output, 1), Checkpoint.ConfigFile)));
        Assert.False(File.Exists(Path.Combine(output, Checkpoint.ConfigFile)));
    }

    private sealed class CancelOnReport(CancellationTokenSource stop) : Loom.Training.ITrainingProgress
    {
        public void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta) => stop.Cancel();
    }

    [Theory]
    [InlineData("", 64, 4, 1e-4, null, "Teacher")]
    [InlineData("t", 12, 3, 1e-4, null, "StartSteps")]
    [InlineData("t", 64, 0, 1e-4, null, "Rounds")]
    [InlineData("t", 64, 4, 0.0, null, "LearningRate")]
    [InlineData("t", 64, 4, 1e-4, 1.0, "EmaDecay")]
    public void Bad_options_name_the_option(string teacherPath, int startSteps, int rounds, double lr, double? ema, string option)
    {
        var options = new ProgressiveDistillationOptions
        {
            Teacher = teacherPath, StartSteps = startSteps, Rounds = rounds, LearningRate = lr, EmaDecay = ema,
        };
        Assert.Equal(option, Assert.Throws<LoomUsageException>(() => options.Validate()).Option);
        var copy = options.Clone();
        Assert.NotSame(options, copy);
        Assert.Equal(options.StartSteps, copy.StartSteps);
    }

    [Fact]
    public void A_teacher_that_is_no_diffusion_model_or_too_few_timesteps_is_refused()
    {
        using var tmp = new TempFolder();
        var missing = Assert.Throws<LoomUsageException>(() => Distil(Options(tmp.File("nothing")), tmp.File("out")));
        Assert.Equal("Teacher", missing.Option);
        var tooMany = new ProgressiveDistillationOptions { Teacher = teacher.Path, StartSteps = 2048, Rounds = 1 };
        Assert.Equal("StartSteps", Assert.Throws<LoomUsageException>(() => Distil(tooMany, tmp.File("out"))).Option);
    }

    private sealed class SynchronousProgressProbe(Action<SampleProgress> report) : IProgress<SampleProgress>
    {
        public void Report(SampleProgress value) => report(value);
    }
}
