using System.CommandLine;
using Loom.Cli.Commands.Train;
using Loom.Models.Diffusion.Distillation;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom distill diffusion TEACHER --out DIR [--start-steps 64] [--rounds 4] [--round-steps 500] …</c>: a shell over
/// <see cref="ProgressiveDistillation"/>, one flag per <see cref="ProgressiveDistillationOptions"/> property. (Distilling
/// a language model into a smaller one is <c>loom train gpt|llama|lstm|gru --teacher</c>.)
/// </summary>
public static class DistillCommand
{
    public static Command Create() => new("distill", "Distil a trained model into a faster one") { Diffusion() };

    private static Command Diffusion()
    {
        var defaults = new ProgressiveDistillationOptions();
        var teacher = new Argument<string>("teacher") { Description = "The diffusion checkpoint folder to distil" };
        var startSteps = new Option<int>("--start-steps")
        {
            Description = "The teacher's DDIM steps in the first round (trailing spacing); each round halves them",
            DefaultValueFactory = _ => defaults.StartSteps,
        };
        var rounds = new Option<int>("--rounds")
        {
            Description = "Halving rounds: the student samples in start-steps / 2^rounds steps", DefaultValueFactory = _ => defaults.Rounds,
        };
        var roundSteps = new Option<long>("--round-steps")
        {
            Description = "Optimizer steps per round", DefaultValueFactory = _ => defaults.RoundSteps,
        };
        var lr = new Option<double>("--lr")
        {
            Description = "Learning rate (decays linearly to 0 in each round)", DefaultValueFactory = _ => defaults.LearningRate,
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Examples per step", DefaultValueFactory = _ => defaults.BatchSize,
        };
        var ema = new Option<double?>("--ema") { Description = "EMA decay of each round's student weights (default: no EMA)" };
        var guidance = new Option<double>("--guidance")
        {
            Description = "Classifier-free guidance of the teacher, distilled into the student (1 = none)",
            DefaultValueFactory = _ => defaults.Guidance,
        };
        var labelDropout = new Option<double>("--label-dropout")
        {
            Description = "Probability of distilling the unconditional model for an example (conditional teachers)",
            DefaultValueFactory = _ => defaults.LabelDropout,
        };
        var data = new Option<string?>("--data") { Description = "Training data (default: the data the teacher was trained on)" };
        var points = new Option<int>("--points")
        {
            Description = "Points to draw for a toy 2-D data set", DefaultValueFactory = _ => defaults.Points,
        };
        var seed = CliOptions.Seed();
        var shared = new CliTraining();
        var command = new Command("diffusion",
            "Progressive distillation of a diffusion model into a few-step DDIM sampler (Salimans & Ho 2022); each finished "
                + "round is saved in OUT/round-K, the last also in OUT")
        {
            teacher, startSteps, rounds, roundSteps, lr, batchSize, ema, guidance, labelDropout, data, points, seed,
            shared.Out, shared.Resume, shared.Overwrite, shared.Device,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var options = new ProgressiveDistillationOptions
            {
                Teacher = parse.GetValue(teacher)!, StartSteps = parse.GetValue(startSteps), Rounds = parse.GetValue(rounds),
                RoundSteps = parse.GetValue(roundSteps), LearningRate = parse.GetValue(lr), BatchSize = parse.GetValue(batchSize),
                EmaDecay = parse.GetValue(ema), Guidance = parse.GetValue(guidance), LabelDropout = parse.GetValue(labelDropout),
                Data = parse.GetValue(data), Points = parse.GetValue(points), Seed = parse.GetValue(seed),
            }.Validate();
            using var progress = new ConsoleProgress("distill diffusion", Console.Error);
            var context = shared.Context(parse, progress, console);
            using var outcome = ProgressiveDistillation.Run(options, context);
            foreach (var round in outcome.Rounds)
                console.WriteLine($"round {round.Round}: {round.TeacherSteps} → {round.StudentSteps} DDIM steps  final loss "
                    + $"{round.FinalLoss:G4}  {round.Seconds:F0} s  {round.Folder}");
            if (outcome.Interrupted)
            {
                console.WriteLine($"interrupted after {outcome.Rounds.Count} of {options.Rounds} rounds; continue with --resume");
                return 0;
            }
            console.WriteLine($"saved the {options.StepsAfter(options.Rounds)}-step diffusion student to {context.OutputFolder}");
            return 0;
        });
        return command;
    }
}
