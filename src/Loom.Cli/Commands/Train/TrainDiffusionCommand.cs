using System.CommandLine;
using Loom.Data;
using Loom.Models;
using Loom.Models.Diffusion.Samplers;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train diffusion</c>: maps flags onto the diffusion family's recipe (unset flags take the recipe's preset for
/// the data) and trains through the registry. Nothing here decides how a model is trained.
/// </summary>
public static class TrainDiffusionCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = new Option<string?>("--data")
        {
            Description = $"fashion-mnist, a toy 2-D set ({string.Join(", ", ToyData.Names)}) or a numeric CSV"
        };
        var conditional = new Option<bool?>("--conditional")
        {
            Description = "Condition on class labels (classifier-free guidance via label dropout)", Arity = ArgumentArity.ZeroOrOne
        };
        var points = new Option<int?>("--points") { Description = "Points to draw for a toy data set (default 20000)" };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps (default 5000 for images, 3000 for vectors)" };
        var batchSize = new Option<int?>("--batch-size") { Description = "Examples per step (default 64 for images, 256 for vectors)" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default 8e-4 for images, 1e-3 for vectors)" };
        var warmup = new Option<long?>("--warmup") { Description = "Linear learning-rate warmup steps (default 200)" };
        var lrSchedule = new Option<string?>("--lr-schedule")
        {
            Description = "constant | cosine | linear (default cosine for images, constant for vectors)"
        };
        var schedule = new Option<string?>("--schedule")
        {
            Description = "Noise schedule: linear | scaled-linear | cosine (default cosine for images, linear for vectors)"
        };
        var timesteps = new Option<int?>("--timesteps") { Description = "Training timesteps T (default 1000)" };
        var prediction = new Option<string?>("--prediction")
        {
            Description = "Training target: epsilon | x0 | v (default v for images, epsilon for vectors)"
        };
        var minSnr = new Option<double?>("--min-snr")
        {
            Description = "Min-SNR-γ loss weighting; 0 = plain MSE (default 5 for images, 0 for vectors)"
        };
        var labelDropout =
            new Option<double?>("--label-dropout") { Description = "Probability of dropping a label (guidance training; default 0.1)" };
        var flip = new Option<bool?>("--flip") { Description = "Random horizontal flips", Arity = ArgumentArity.ZeroOrOne };
        var ema = new Option<double?>("--ema") { Description = "EMA decay of the sampling weights (0 = off; default 0.999)" };
        var baseChannels = new Option<int?>("--base-channels") { Description = "U-Net channels at full resolution (default 32)" };
        var multipliers = new Option<string?>("--multipliers") { Description = "U-Net channel multipliers per level (default 1,2,2)" };
        var resBlocks = new Option<int?>("--res-blocks") { Description = "U-Net residual blocks per level (default 1)" };
        var attention =
            new Option<string?>("--attention") { Description = "U-Net levels with self-attention, 0 = full resolution (default 2)" };
        var dropout = new Option<double?>("--dropout") { Description = "U-Net dropout (default 0)" };
        var width = new Option<int?>("--width") { Description = "MLP denoiser width (default 128)" };
        var layers = new Option<int?>("--layers") { Description = "MLP denoiser residual blocks (default 3)" };
        var sampler = new Option<string?>("--sampler")
        {
            Description = $"Default sampler saved with the model: {string.Join(", ", SamplerOptions.Names)} (default ddim)"
        };
        var samplerSteps = new Option<int?>("--sampler-steps") { Description = "Default sampling steps (default 50)" };
        var guidance =
            new Option<double?>("--guidance") { Description = "Default guidance scale for class-conditional samples (default 3)" };
        var checkpointEvery =
            new Option<long?>("--checkpoint-every") { Description = "Save every N steps (0 = at the end and on Ctrl-C; default 500)" };
        var seed = new Option<long?>("--seed") { Description = "Seed for every random number generator (default 0)" };
        var shared = new CliTraining();
        var dp = new DpTrainingFlags("U-Net or MLP denoiser; each training example is one unit, one timestep per step");
        var command = new Command("diffusion",
            "Denoising diffusion model: U-Net on images, MLP on vectors; any sampler, guidance, inpainting, image-to-image")
        {
            data, conditional, points, steps, batchSize, lr, warmup, lrSchedule, schedule, timesteps, prediction,
            minSnr, labelDropout, flip, ema,
            baseChannels, multipliers, resBlocks, attention, dropout, width, layers, sampler, samplerSteps, guidance, checkpointEvery, seed,
        };
        foreach (var option in dp.All.Concat(shared.All)) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var flags = dp.AddTo(new RecipeFlags(parse))
                .Add("data", data).Add("conditional", conditional).Add("points", points).Add("steps", steps).Add("batch_size", batchSize)
                .Add("learning_rate", lr).Add("warmup", warmup).Add("lr_schedule", lrSchedule).Add("noise_schedule", schedule)
                .Add("timesteps", timesteps).Add("prediction", prediction).Add("min_snr", minSnr).Add("label_dropout", labelDropout)
                .Add("flip", flip).Add("ema", ema).Add("base_channels", baseChannels).AddInts("multipliers", multipliers)
                .Add("res_blocks", resBlocks).AddInts("attention", attention).Add("dropout", dropout).Add("width", width)
                .Add("layers", layers).Add("sampler", sampler).Add("sampler_steps", samplerSteps).Add("guidance", guidance)
                .Add("checkpoint_every", checkpointEvery).Add("seed", seed);
            var recipe = shared.Recipe(parse, flags.Json);
            using var progress = new ConsoleProgress("train diffusion", Console.Error);
            var context = shared.Context(parse, progress, console);
            using var outcome = ModelRegistry.Trainable("diffusion").Train(recipe, context);
            CliTraining.Report(outcome, context, console);
            return 0;
        });
        yield return command;
    }
}
