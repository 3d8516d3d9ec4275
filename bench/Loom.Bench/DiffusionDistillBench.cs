using System.Diagnostics;
using Loom.Data;
using Loom.Evaluation.Distribution;
using Loom.Evaluation.Reference;
using Loom.IO.Checkpoints;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Distillation;
using Loom.Models.Diffusion.Samplers;
using TorchSharp;

namespace Loom.Bench;

/// <summary>
/// <c>diffusion-distill TEACHER DISTILLED [--n 300] [--ddpm-n 150] [--teacher-steps 64]</c>: FID-FMNIST of the students of a
/// progressive distillation run (<c>DISTILLED/round-K</c>, each at its own DDIM steps) against the teacher's DDIM at the same
/// steps, the teacher's DDIM at --teacher-steps and 64, and DDPM-1000 (--ddpm-n samples, with DDIM-64 on the same
/// samples' seeds for an equal-size comparison; --ddpm-n 0 leaves both out; a Fréchet distance needs more than 128
/// samples). Same evaluation as <c>diffusion-fmnist</c>: classes cycled, guidance 1, FID against the 10k test images in
/// the reference network's feature space; every sampler gets the same seeds.
/// </summary>
public static class DiffusionDistillBench
{
    public static int Run(string[] args)
    {
        if (args.Length < 2 || args[0].StartsWith("--", StringComparison.Ordinal) || args[1].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("usage: diffusion-distill TEACHER DISTILLED [--n 300] [--ddpm-n 150] [--teacher-steps 64]");
            return 2;
        }
        int n = BenchSupport.Option(args, "--n", 300), ddpmN = BenchSupport.Option(args, "--ddpm-n", 150);
        int teacherSteps = BenchSupport.Option(args, "--teacher-steps", 64);
        using var teacher = (DiffusionModel)Checkpoint.Load(args[0]);
        using var reference = ReferenceClassifier.LoadBundled();
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        var real = reference.Extract(test.Images);
        Console.WriteLine($"teacher {args[0]}: {teacher.Network.parameters().Sum(p => p.numel()):N0} parameters; {n} samples per row "
            + $"(DDPM-1000: {ddpmN}), classes cycled, guidance 1; FID against {test.Count} test images; threads {torch.get_num_threads()}");
        var rounds = Enumerable.Range(1, 16).Select(k => ProgressiveDistillation.RoundFolder(args[1], k))
            .Where(d => File.Exists(Path.Combine(d, Checkpoint.ConfigFile))).ToList();
        foreach (var folder in rounds)
        {
            using var student = (DiffusionModel)Checkpoint.Load(folder);
            int steps = student.Config.DefaultSampler.Steps;
            Report($"distilled-{steps} ({Path.GetFileName(folder)})", student, Ddim(steps), n, real, reference);
            Report($"teacher DDIM-{steps}", teacher, Ddim(steps), n, real, reference);
        }
        foreach (var steps in new[] { teacherSteps, 64 }.Distinct())
            Report($"teacher DDIM-{steps}", teacher, Ddim(steps), n, real, reference);
        if (ddpmN == 0)
            return 0;
        Report("teacher DDIM-64", teacher, Ddim(64), ddpmN, real, reference);
        Report("teacher DDPM-1000", teacher, new SamplerOptions { Sampler = "ddpm", Steps = 1000, Spacing = TimestepSpacing.Leading },
            ddpmN, real, reference);
        return 0;
    }

    private static SamplerOptions Ddim(int steps) => new() { Sampler = "ddim", Steps = steps, Spacing = TimestepSpacing.Trailing };

    private static void Report(string name, DiffusionModel model, SamplerOptions sampler, int n, torch.Tensor real,
        ReferenceClassifier reference)
    {
        using var scope = torch.NewDisposeScope();
        int[] cycled = Enumerable.Range(0, n).Select(i => i % 10).ToArray();
        var clock = Stopwatch.StartNew();
        var samples = DiffusionBarsBench.Generate(model, sampler, cycled, 1.0);
        double seconds = clock.Elapsed.TotalSeconds;
        var fid = FrechetDistance.Compute(real, reference.Extract(samples)).Value;
        Console.WriteLine($"{name,-32} {sampler.Sampler}-{sampler.Steps,-4} n={n,-4} FID-FMNIST {fid,7:F2}  ({n / seconds:F2} images/s)");
    }
}
