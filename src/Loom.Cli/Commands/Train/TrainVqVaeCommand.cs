using System.CommandLine;
using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models.Latent.Quantized;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train vqvae --data fashion-mnist|FOLDER [--codes 64 --code-dim 16 --steps N --prior-steps M …]</c>: a VQ-VAE
/// (conv autoencoder, EMA codebook with dead-code restarts) and then a PixelCNN prior over its codes, each on the shared
/// trainer. Writes the checkpoint, log.jsonl, loss.png, reconstructions.png and samples.png; Ctrl-C saves and
/// <c>--resume</c> continues the stage that was running.
/// </summary>
public static class TrainVqVaeCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = CliOptions.Data("fashion-mnist or a folder of square grey PNGs of one size (a multiple of 4, e.g. 28×28)");
        var output = CliOptions.Out("Checkpoint folder to write");
        var classes = new Option<string?>("--classes") { Description = "Fashion-MNIST classes to keep, e.g. 0,1 (relabelled 0, 1, … in that order)" };
        var limit = new Option<int>("--train-limit") { Description = "Train on the first N images only (0 = all)", DefaultValueFactory = _ => 0 };
        var codes = new Option<int>("--codes") { Description = "K, codebook size", DefaultValueFactory = _ => 64 };
        var codeDim = new Option<int>("--code-dim") { Description = "D, dimension of a code", DefaultValueFactory = _ => 16 };
        var hidden = new Option<int>("--hidden") { Description = "Channels of the encoder and decoder", DefaultValueFactory = _ => 64 };
        var resBlocks = new Option<int>("--res-blocks") { Description = "Residual blocks in the encoder and in the decoder", DefaultValueFactory = _ => 2 };
        var resChannels = new Option<int>("--res-channels") { Description = "Channels inside a residual block", DefaultValueFactory = _ => 32 };
        var steps = new Option<long>("--steps") { Description = "Stage 1 (autoencoder) optimizer steps", DefaultValueFactory = _ => 3000 };
        var priorSteps = new Option<long>("--prior-steps") { Description = "Stage 2 (prior) optimizer steps", DefaultValueFactory = _ => 3000 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images (stage 1) or code maps (stage 2) per step", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Stage 1 learning rate (AdamW)", DefaultValueFactory = _ => 1e-3 };
        var priorLr = new Option<double>("--prior-lr") { Description = "Stage 2 learning rate (AdamW)", DefaultValueFactory = _ => 1e-3 };
        var commitment = new Option<double>("--commitment") { Description = "β, weight of the commitment loss", DefaultValueFactory = _ => 0.25 };
        var emaDecay = new Option<double>("--ema-decay") { Description = "γ, decay of the codebook's moving averages", DefaultValueFactory = _ => 0.99 };
        var deadThreshold = new Option<double>("--dead-code-threshold") { Description = "Restart codes whose EMA count falls below this many vectors per batch (0 = never)", DefaultValueFactory = _ => 1.0 };
        var priorChannels = new Option<int>("--prior-channels") { Description = "Channels of the PixelCNN prior", DefaultValueFactory = _ => 64 };
        var priorLayers = new Option<int>("--prior-layers") { Description = "Gated masked layers of the prior", DefaultValueFactory = _ => 4 };
        var conditional = new Option<bool>("--conditional-prior") { Description = "Condition the prior on class labels (fashion-mnist)" };
        var logEvery = new Option<long>("--log-every") { Description = "Write a log.jsonl entry every N steps", DefaultValueFactory = _ => 10 };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Save every N steps of either stage (0 = at the end of each stage and on Ctrl-C)", DefaultValueFactory = _ => 500 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run saved in --out from its last checkpoint, in the stage it was in" };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var command = new Command("vqvae", "VQ-VAE with an EMA codebook, then a PixelCNN prior over its codes; samples are prior → codes → decoder")
        {
            data, output, classes, limit, codes, codeDim, hidden, resBlocks, resChannels, steps, priorSteps, batchSize, lr, priorLr, commitment,
            emaDecay, deadThreshold, priorChannels, priorLayers, conditional, logEvery, checkpointEvery, resume, seed, device,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            long seedValue = parse.GetValue(seed);
            Seeding.SeedEverything(seedValue);
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            bool resuming = parse.GetValue(resume);
            bool conditionalPrior = parse.GetValue(conditional);
            var dataSpec = parse.GetValue(data)!;
            var classList = parse.GetValue(classes) is { } text ? FashionMnistClasses.ParseList(text) : null;
            var config = new VqVaeConfig
            {
                NumCodes = parse.GetValue(codes), CodeDim = parse.GetValue(codeDim), HiddenChannels = parse.GetValue(hidden),
                ResidualBlocks = parse.GetValue(resBlocks), ResidualChannels = parse.GetValue(resChannels), Commitment = parse.GetValue(commitment),
                EmaDecay = parse.GetValue(emaDecay), DeadCodeThreshold = parse.GetValue(deadThreshold),
                PriorChannels = parse.GetValue(priorChannels), PriorLayers = parse.GetValue(priorLayers),
            };
            config.Validate();
            var options = new VqVaeTrainingOptions
            {
                Steps = parse.GetValue(steps), PriorSteps = parse.GetValue(priorSteps), BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(lr), PriorLearningRate = parse.GetValue(priorLr), Seed = seedValue,
                LogEvery = parse.GetValue(logEvery), CheckpointEvery = parse.GetValue(checkpointEvery),
            };
            options.Validate();
            if (!TrainingData.IsFashionMnist(dataSpec) && !Directory.Exists(dataSpec))
                throw new LoomDataException($"--data: '{dataSpec}' is neither fashion-mnist nor a folder of PNG images");
            using var loaded = TrainingData.Load(dataSpec, new DataLoadOptions { Classes = classList, Relabel = true, Limit = parse.GetValue(limit), AllowPngFolder = true });
            if (loaded.SampleShape[1] != loaded.SampleShape[2])
                throw new LoomDataException($"--data: {dataSpec} holds {loaded.SampleShape[2]}×{loaded.SampleShape[1]} images; the VQ-VAE needs square images");
            if (conditionalPrior && loaded.Labels is null)
                throw new LoomUsageException($"--conditional-prior: '{dataSpec}' has no class labels (only fashion-mnist has)");
            config = config with
            {
                Channels = (int)loaded.SampleShape[0], ImageSize = (int)loaded.SampleShape[1], DataName = loaded.Name,
                ClassNames = conditionalPrior ? loaded.ClassNames : [],
            };
            config.Validate();
            if (resuming && File.Exists(Path.Combine(outDir, Checkpoint.ConfigFile)))
                config = VqVaeConfig.FromJson(Checkpoint.ReadConfig(outDir).Config);
            var targetDevice = DeviceSelector.Parse(parse.GetValue(device));
            using var model = new VqVaeModel(config).To(targetDevice);
            long parameters = model.Autoencoder.parameters().Sum(p => p.numel()) + model.Prior.parameters().Sum(p => p.numel());
            console.WriteLine($"vqvae: {config.NumCodes} codes × {config.CodeDim} dims on a {config.LatentSize}×{config.LatentSize} map, {parameters:N0} parameters, "
                + $"{loaded.Count:N0} training images of {config.ImageSize}×{config.ImageSize}" + (config.NumClasses > 0 ? $", prior conditioned on {config.NumClasses} classes" : "")
                + $", device {targetDevice}");

            var run = new VqVaeRun(model, loaded, options, outDir, resuming, targetDevice);
            var watch = Stopwatch.StartNew();
            var (stage, result) = run.Train();
            var metrics = new Dictionary<string, double>
            {
                ["parameters"] = parameters, ["train_seconds"] = watch.Elapsed.TotalSeconds, ["skipped_steps"] = run.SkippedSteps,
                [$"{stage}_steps"] = result.Steps, [$"{stage}_final_loss"] = result.LastLoss,
            };
            string? notes = result.Interrupted ? $"interrupted (Ctrl-C or SIGTERM) in stage {stage} at step {result.Steps}; continue with --resume" : null;
            if (!result.Interrupted)
                foreach (var (name, value) in model.Evaluate(loaded.Examples, loaded.Labels)) metrics[name] = value;
            CheckpointWriter.Save(outDir, model, [loaded.Provenance], seedValue, targetDevice.ToString(), metrics, console, notes);
            if (!result.Interrupted)
            {
                console.WriteLine($"  reconstructions          {VqVaeRun.WriteReconstructions(model, loaded, outDir)}");
                console.WriteLine($"  samples                  {VqVaeRun.WriteSamples(model, outDir, seedValue)}");
            }
            return 0;
        });
        yield return command;
    }
}
