using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Data;
using Loom.Models;
using Loom.Models.Adversarial;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train dcgan|wgan-gp|cgan</c>: one command per preset of the GAN family's recipe. Maps the flags given (and
/// the preset the command names) onto the recipe and trains through the registry; unset flags take the preset's
/// values and the library's defaults. Nothing here decides how a GAN is trained.
/// </summary>
public static class TrainGanCommand
{
    public static IEnumerable<Command> Create() => GanRecipe.Presets.Keys.Select(Build);

    private static Command Build(string preset)
    {
        var defaults = GanRecipe.Defaults;
        var data = new Option<string?>("--data")
        {
            Description = $"fashion-mnist, a toy 2-D set ({string.Join(", ", ToyData.Names)}) or a numeric CSV",
        };
        var classes = new Option<string?>("--classes") { Description = "Fashion-MNIST classes to train on, e.g. 0,5,7 (default: all)" };
        var points = new Option<int?>("--points") { Description = $"Points to draw for a toy data set (default {defaults.Points})" };
        var loss = new Option<string?>("--loss")
        {
            Description = $"Loss: {string.Join(" | ", GanLosses.Names)} (default {Of(preset, "loss")})",
        };
        var spectralNorm = new Option<bool?>("--spectral-norm")
        {
            Description = $"Spectral normalization of the discriminator (default {Of(preset, "spectral_norm")})",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var criticSteps = new Option<int?>("--n-critic")
        {
            Description = $"Discriminator steps per generator step (default {Of(preset, "n_critic")})",
        };
        var lrG = new Option<double?>("--lr-g")
        {
            Description = $"Generator learning rate (default {Of(preset, "generator_learning_rate")})",
        };
        var lrD = new Option<double?>("--lr-d")
        {
            Description = $"Discriminator learning rate (default {Of(preset, "discriminator_learning_rate")})",
        };
        var gpWeight = new Option<double?>("--gp-weight")
        {
            Description = "Gradient penalty weight λ (default with the wgan-gp loss: 10 for images, 0.1 for vectors; else 0)",
        };
        var latentDim = new Option<int?>("--latent-dim") { Description = "Width of z (default 64 for images, 8 for vectors)" };
        var baseChannels = new Option<int?>("--base-channels")
        {
            Description = $"DCGAN base channels c (generator 4c→2c→1, discriminator c→2c→4c; default {defaults.BaseChannels})",
        };
        var classNorm = new Option<bool?>("--class-norm")
        {
            Description = "Conditional image generator: class-conditional BatchNorm (a per-class gain and bias at every BatchNorm)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var auxClassifier = new Option<double?>("--aux-classifier")
        {
            Description = "Conditional GAN: give the discriminator an auxiliary classifier and add this weight λ times its cross-entropy "
                + $"to both losses (AC-GAN; 0 = off; default {Of(preset, "aux_classifier_weight")})",
        };
        var width = new Option<int?>("--width") { Description = $"MLP hidden width (default {defaults.Width})" };
        var layers = new Option<int?>("--layers") { Description = $"MLP hidden layers (default {defaults.Layers})" };
        var steps = new Option<long?>("--steps")
        {
            Description = $"Discriminator steps (the generator takes one every --n-critic; default {defaults.Steps})",
        };
        var batchSize = new Option<int?>("--batch-size") { Description = "Examples per step (default 64 for images, 256 for vectors)" };
        var gradClip = new Option<double?>("--grad-clip") { Description = "Clip each network's gradient norm (0 = off, the default)" };
        var ema = new Option<double?>("--ema")
        {
            Description = "Keep an exponential moving average of the generator with this decay (e.g. 0.999) and save and sample it "
                + "(0 = off, the default)",
        };
        var sampleEvery = new Option<long?>("--sample-every")
        {
            Description = $"Write progress/step-N.png from fixed noise every N steps (0 = only at the end; default {defaults.SampleEvery})",
        };
        var logEvery = new Option<long?>("--log-every")
        {
            Description = $"Write a log.jsonl line every N steps (default {defaults.LogEvery})",
        };
        var checkpointEvery = new Option<long?>("--checkpoint-every")
        {
            Description = $"Save every N steps (0 = at the end and on Ctrl-C; default {defaults.CheckpointEvery})",
        };
        var seed = new Option<long?>("--seed") { Description = $"Seed for every random number generator (default {defaults.Seed})" };
        var shared = new CliTraining();
        var command = new Command(preset, GanRecipe.PresetDescriptions[preset])
        {
            data, classes, points, loss, spectralNorm, criticSteps, lrG, lrD, gpWeight, latentDim, baseChannels, classNorm, auxClassifier,
            width, layers, steps, batchSize, gradClip, ema, sampleEvery, logEvery, checkpointEvery, seed,
        };
        foreach (var option in shared.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var flags = new RecipeFlags(parse)
                .Add("data", data).Add("classes", classes).Add("points", points).Add("loss", loss).Add("spectral_norm", spectralNorm)
                .Add("n_critic", criticSteps).Add("generator_learning_rate", lrG).Add("discriminator_learning_rate", lrD)
                .Add("gradient_penalty", gpWeight).Add("latent_dim", latentDim).Add("base_channels", baseChannels)
                .Add("class_norm", classNorm).Add("aux_classifier_weight", auxClassifier).Add("width", width).Add("layers", layers)
                .Add("steps", steps).Add("batch_size", batchSize).Add("grad_clip", gradClip).Add("ema", ema)
                .Add("sample_every", sampleEvery).Add("log_every", logEvery).Add("checkpoint_every", checkpointEvery).Add("seed", seed);
            var recipe = shared.Recipe(parse, flags.Json);
            recipe["preset"] = preset;   // the command is the preset
            using var progress = new ConsoleProgress($"train {preset}", Console.Error);
            var context = shared.Context(parse, progress, console);
            using var outcome = ModelRegistry.Trainable(GanModel.KindName).Train(recipe, context);
            CliTraining.Report(outcome, context, console);
            return 0;
        });
        return command;
    }

    /// <summary>A preset's value of <paramref name="property"/>, as the help shows it.</summary>
    private static string Of(string preset, string property) => GanRecipe.Presets[preset][property] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.Deserialize<double>().ToString("G3", CultureInfo.InvariantCulture),
        var v => v?.ToString() ?? "none",
    };
}
