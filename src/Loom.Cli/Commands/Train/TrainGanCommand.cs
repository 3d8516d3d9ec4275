using System.CommandLine;
using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models.Adversarial;
using TorchSharp;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train dcgan|wgan-gp|cgan --data fashion-mnist|8gaussians|FILE.csv …</c>: three GAN presets built by one
/// function. Conv networks (DCGAN-style) for Fashion-MNIST, MLPs for vectors; one trainer step is one discriminator
/// update. Writes the checkpoint (generator and discriminator), log.jsonl, loss.png, progress/step-N.png every
/// --sample-every steps and samples.png; Ctrl-C saves and <c>--resume</c> continues bit-for-bit.
/// </summary>
public static class TrainGanCommand
{
    /// <summary>What a preset fixes unless an option overrides it.</summary>
    private sealed record Preset(string Name, string Description, GanLossKind Loss, bool SpectralNorm, bool DiscriminatorBatchNorm, bool Conditional,
        int CriticSteps, double GeneratorLearningRate, double DiscriminatorLearningRate, double Beta1, double Beta2, double ClassifierWeight = 0);

    private static readonly Preset[] Presets =
    [
        new("dcgan", "DCGAN: non-saturating loss, BatchNorm in both convolutional networks, Adam 2e-4 betas (0.5, 0.999)",
            GanLossKind.NonSaturating, false, true, false, 1, 2e-4, 2e-4, 0.5, 0.999),
        new("wgan-gp", "WGAN-GP: Wasserstein critic without BatchNorm, gradient penalty (λ 10 for images, 0.1 for vectors), 5 critic steps per generator step, Adam 1e-4 betas (0, 0.9)",
            GanLossKind.Wasserstein, false, false, false, 5, 1e-4, 1e-4, 0.0, 0.9),
        new("cgan", "Class-conditional GAN: hinge loss, spectral-norm projection discriminator with an auxiliary classifier (λ 1), two time-scale Adam (G 1e-4, D 4e-4) betas (0, 0.999)",
            GanLossKind.Hinge, true, false, true, 1, 1e-4, 4e-4, 0.0, 0.999, ClassifierWeight: 1),
    ];

    public static IEnumerable<Command> Create() => Presets.Select(Build);

    private static Command Build(Preset preset)
    {
        var data = CliOptions.Data($"fashion-mnist, a toy 2-D set ({string.Join(", ", ToyData.Names)}) or a numeric CSV");
        var output = CliOptions.Out("Checkpoint folder to write");
        var classes = new Option<string?>("--classes") { Description = "Fashion-MNIST classes to train on, e.g. 0,5,7 (default: all)" };
        var points = new Option<int>("--points") { Description = "Points to draw for a toy data set", DefaultValueFactory = _ => 20000 };
        var loss = new Option<string?>("--loss") { Description = $"Loss: {string.Join(" | ", GanLosses.Names)} (default {GanLosses.Name(preset.Loss)})" };
        var spectralNorm = new Option<bool?>("--spectral-norm") { Description = $"Spectral normalization of the discriminator (default {(preset.SpectralNorm ? "on" : "off")})" };
        var criticSteps = new Option<int?>("--n-critic") { Description = $"Discriminator steps per generator step (default {preset.CriticSteps})" };
        var lrG = new Option<double?>("--lr-g") { Description = $"Generator learning rate (default {preset.GeneratorLearningRate:G3})" };
        var lrD = new Option<double?>("--lr-d") { Description = $"Discriminator learning rate (default {preset.DiscriminatorLearningRate:G3})" };
        var gpWeight = new Option<double?>("--gp-weight") { Description = "Gradient penalty weight λ (default with the wgan-gp loss: 10 for images, 0.1 for vectors; else 0)" };
        var latentDim = new Option<int?>("--latent-dim") { Description = "Width of z (default 64 for images, 8 for vectors)" };
        var baseChannels = new Option<int>("--base-channels") { Description = "DCGAN base channels c (generator 4c→2c→1, discriminator c→2c→4c)", DefaultValueFactory = _ => 32 };
        var classNorm = new Option<bool>("--class-norm") { Description = "Conditional image generator: class-conditional BatchNorm (a per-class gain and bias at every BatchNorm)" };
        var auxClassifier = new Option<double?>("--aux-classifier") { Description = $"Conditional GAN: give the discriminator an auxiliary classifier and add this weight λ times its cross-entropy to both losses (AC-GAN; 0 = off; default {preset.ClassifierWeight})" };
        var width = new Option<int>("--width") { Description = "MLP hidden width", DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { Description = "MLP hidden layers", DefaultValueFactory = _ => 3 };
        var steps = new Option<long>("--steps") { Description = "Discriminator steps (the generator takes one every --n-critic)", DefaultValueFactory = _ => 5000 };
        var batchSize = new Option<int?>("--batch-size") { Description = "Examples per step (default 64 for images, 256 for vectors)" };
        var gradClip = new Option<double>("--grad-clip") { Description = "Clip each network's gradient norm (0 = off)", DefaultValueFactory = _ => 0 };
        var sampleEvery = new Option<long>("--sample-every") { Description = "Write progress/step-N.png from fixed noise every N steps (0 = only at the end)", DefaultValueFactory = _ => 500 };
        var logEvery = new Option<long>("--log-every") { Description = "Write a log.jsonl line every N steps", DefaultValueFactory = _ => 10 };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Save every N steps (0 = at the end and on Ctrl-C)", DefaultValueFactory = _ => 500 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run saved in --out from its last checkpoint" };
        var ema = new Option<double>("--ema") { Description = "Keep an exponential moving average of the generator with this decay (e.g. 0.999) and save and sample it (0 = off)", DefaultValueFactory = _ => 0 };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var command = new Command(preset.Name, preset.Description)
        {
            data, output, classes, points, loss, spectralNorm, criticSteps, lrG, lrD, gpWeight, latentDim, baseChannels, classNorm, auxClassifier, width, layers,
            steps, batchSize, gradClip, ema, sampleEvery, logEvery, checkpointEvery, resume, seed, device,
        };
        command.SetAction(parse =>
        {
            var lossKind = parse.GetValue(loss) is { } name ? GanLosses.Parse(name) : preset.Loss;
            var spec = parse.GetValue(data)!;
            bool images = GanData.IsImageSet(spec);
            long seedValue = parse.GetValue(seed);
            var options = new GanTrainingOptions
            {
                Steps = parse.GetValue(steps),
                BatchSize = parse.GetValue(batchSize) ?? (images ? 64 : 256),
                GeneratorLearningRate = parse.GetValue(lrG) ?? preset.GeneratorLearningRate,
                DiscriminatorLearningRate = parse.GetValue(lrD) ?? preset.DiscriminatorLearningRate,
                Beta1 = preset.Beta1,
                Beta2 = preset.Beta2,
                CriticSteps = parse.GetValue(criticSteps) ?? preset.CriticSteps,
                GradientPenalty = parse.GetValue(gpWeight) ?? DefaultGradientPenalty(lossKind, images),
                GradClip = parse.GetValue(gradClip),
                ClassifierWeight = parse.GetValue(auxClassifier) ?? preset.ClassifierWeight,
                GeneratorEma = parse.GetValue(ema) is var decay && decay != 0 ? decay : null,
                Seed = seedValue,
                LogEvery = parse.GetValue(logEvery),
                CheckpointEvery = parse.GetValue(checkpointEvery),
            };
            options.Validate();
            if (parse.GetValue(sampleEvery) < 0)
                throw new LoomUsageException($"--sample-every: must be non-negative, got {parse.GetValue(sampleEvery)}");
            var console = parse.InvocationConfiguration.Output;
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            bool resuming = parse.GetValue(resume);
            Seeding.SeedEverything(seedValue);
            var loaded = GanData.Load(spec, preset.Conditional, CliOptions.Positive(parse, points), seedValue, (parse.GetValue(classes) is { } text ? FashionMnistClasses.ParseList(text) : null));
            var config = new GanConfig
            {
                Loss = lossKind,
                Network = images ? "dcgan" : "mlp",
                SpectralNorm = parse.GetValue(spectralNorm) ?? preset.SpectralNorm,
                // The gradient penalty is per example; batch statistics would mix the examples, so a penalized critic has no BatchNorm.
                DiscriminatorBatchNorm = preset.DiscriminatorBatchNorm && options.GradientPenalty == 0,
                LatentDim = parse.GetValue(latentDim) ?? (images ? 64 : 8),
                Width = parse.GetValue(width),
                Layers = parse.GetValue(layers),
                BaseChannels = parse.GetValue(baseChannels),
                ClassNorm = parse.GetValue(classNorm),
                AuxClassifier = options.ClassifierWeight > 0,
                SampleShape = loaded.SampleShape,
                Images = images,
                ClassNames = loaded.ClassNames,
                DataName = loaded.Name,
                VectorRange = loaded.Range,
            };
            if (resuming && File.Exists(Path.Combine(outDir, Checkpoint.ConfigFile)))
            {
                config = SavedConfig(outDir);
                // A run saved without a classifier head (before the preset had one) resumes as it started unless asked otherwise.
                if (parse.GetValue(auxClassifier) is null && !config.AuxClassifier)
                    options = options with { ClassifierWeight = 0 };
            }
            config.Validate();
            var targetDevice = DeviceSelector.Parse(parse.GetValue(device));
            var generator = config.CreateGenerator();
            var discriminator = config.CreateDiscriminator();
            generator.to(targetDevice);
            discriminator.to(targetDevice);
            using var model = new GanModel(config, generator, discriminator);
            long generatorParameters = generator.parameters().Sum(p => p.numel()), discriminatorParameters = discriminator.parameters().Sum(p => p.numel());
            console.WriteLine($"{preset.Name}: {config.Network} networks, {GanLosses.Name(config.Loss)} loss{(config.SpectralNorm ? ", spectral norm" : "")}, "
                + $"G {generatorParameters:N0} + D {discriminatorParameters:N0} parameters, {loaded.Set.Count:N0} training examples of [{string.Join(", ", loaded.SampleShape)}]"
                + (config.NumClasses > 0 ? $", {config.NumClasses} classes" : "") + $", device {targetDevice}");

            var run = new GanRun(model, loaded, options, parse.GetValue(sampleEvery), outDir, resuming, targetDevice.ToString());
            var watch = Stopwatch.StartNew();
            var result = run.Train();
            var metrics = new Dictionary<string, double>
            {
                ["generator_parameters"] = generatorParameters, ["discriminator_parameters"] = discriminatorParameters, ["steps"] = result.Steps,
                ["train_seconds"] = watch.Elapsed.TotalSeconds, ["skipped_steps"] = run.SkippedSteps, ["warnings"] = run.Warnings.Count,
            };
            string? notes = result.Interrupted ? $"interrupted (Ctrl-C or SIGTERM) at step {result.Steps}; continue with --resume" : null;
            var noteParts = new[] { notes, GanTraining.AverageNote(options.GeneratorEma) }.Concat(run.Warnings.Select(w => "warning: " + w.Message)).Where(n => n is not null);
            notes = noteParts.Any() ? string.Join("; ", noteParts) : null;
            CheckpointWriter.Save(outDir, model, [loaded.Provenance], seedValue, targetDevice.ToString(), metrics, console, notes);
            if (!result.Interrupted)
            {
                var preview = GanRun.WritePreview(model, loaded, outDir, seedValue);
                if (preview.Length > 0) console.WriteLine($"  samples                  {preview}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// λ = 10 (Gulrajani et al.) for images; 0.1 for vectors, as the WGAN-GP authors' own toy script uses: on 8 gaussians
    /// λ = 10 left the critic behind the generator (2 of 8 modes after 6,000 steps, docs/gans.md) and λ = 0.1 covered all 8.
    /// </summary>
    private static double DefaultGradientPenalty(GanLossKind loss, bool images) =>
        loss != GanLossKind.Wasserstein ? 0 : images ? 10 : 0.1;

    private static GanConfig SavedConfig(string outDir)
    {
        var (kind, json) = Checkpoint.ReadConfig(outDir);
        if (kind != GanModel.KindName)
            throw new LoomUsageException($"--resume: {outDir} holds a '{kind}' model, not a GAN");
        return GanConfig.FromJson(json);
    }
}
