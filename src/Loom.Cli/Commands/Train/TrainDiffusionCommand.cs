using System.CommandLine;
using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Diffusion.Samplers;
using Loom.Training;
using TorchSharp;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train diffusion --data fashion-mnist|moons|8gaussians|FILE.csv [--conditional] …</c>: a denoising diffusion
/// model (U-Net for images, MLP for vectors) on the shared trainer. Writes the checkpoint (EMA weights), log.jsonl,
/// loss.png and samples.png; Ctrl-C saves and <c>--resume</c> continues bit-for-bit.
/// </summary>
public static class TrainDiffusionCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = CliOptions.Data($"fashion-mnist, a toy 2-D set ({string.Join(", ", ToyData.Names)}) or a numeric CSV");
        var output = CliOptions.Out("Checkpoint folder to write");
        var conditional = new Option<bool>("--conditional") { Description = "Condition on class labels (classifier-free guidance via label dropout)" };
        var points = new Option<int>("--points") { Description = "Points to draw for a toy data set", DefaultValueFactory = _ => 20000 };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps (default 5000 for images, 3000 for vectors)" };
        var batchSize = new Option<int?>("--batch-size") { Description = "Examples per step (default 64 for images, 256 for vectors)" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default 8e-4 for images, 1e-3 for vectors)" };
        var warmup = new Option<long>("--warmup") { Description = "Linear learning-rate warmup steps", DefaultValueFactory = _ => 200 };
        var lrSchedule = new Option<string?>("--lr-schedule") { Description = "constant | cosine | linear (default cosine for images, constant for vectors)" };
        var schedule = new Option<string?>("--schedule") { Description = "Noise schedule: linear | scaled-linear | cosine (default cosine for images, linear for vectors)" };
        var timesteps = new Option<int>("--timesteps") { Description = "Training timesteps T", DefaultValueFactory = _ => 1000 };
        var prediction = new Option<string?>("--prediction") { Description = "Training target: epsilon | x0 | v (default v for images, epsilon for vectors)" };
        var minSnr = new Option<double?>("--min-snr") { Description = "Min-SNR-γ loss weighting; 0 = plain MSE (default 5 for images, 0 for vectors)" };
        var labelDropout = new Option<double>("--label-dropout") { Description = "Probability of dropping a label (guidance training)", DefaultValueFactory = _ => 0.1 };
        var flip = new Option<bool>("--flip") { Description = "Random horizontal flips" };
        var ema = new Option<double>("--ema") { Description = "EMA decay of the sampling weights (0 = off)", DefaultValueFactory = _ => 0.999 };
        var baseChannels = new Option<int>("--base-channels") { Description = "U-Net channels at full resolution", DefaultValueFactory = _ => 32 };
        var multipliers = new Option<string>("--multipliers") { Description = "U-Net channel multipliers per level, e.g. 1,2,2", DefaultValueFactory = _ => "1,2,2" };
        var resBlocks = new Option<int>("--res-blocks") { Description = "U-Net residual blocks per level", DefaultValueFactory = _ => 1 };
        var attention = new Option<string>("--attention") { Description = "U-Net levels with self-attention (0 = full resolution), e.g. 2", DefaultValueFactory = _ => "2" };
        var dropout = new Option<double>("--dropout") { Description = "U-Net dropout", DefaultValueFactory = _ => 0 };
        var width = new Option<int>("--width") { Description = "MLP denoiser width", DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { Description = "MLP denoiser residual blocks", DefaultValueFactory = _ => 3 };
        var sampler = new Option<string>("--sampler") { Description = $"Default sampler saved with the model: {string.Join(", ", SamplerOptions.Names)}", DefaultValueFactory = _ => "ddim" };
        var samplerSteps = new Option<int>("--sampler-steps") { Description = "Default sampling steps", DefaultValueFactory = _ => 50 };
        var guidance = new Option<double>("--guidance") { Description = "Default guidance scale for class-conditional samples", DefaultValueFactory = _ => 3 };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Save every N steps (0 = at the end and on Ctrl-C)", DefaultValueFactory = _ => 500 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run saved in --out from its last checkpoint" };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var command = new Command("diffusion", "Denoising diffusion model: U-Net on images, MLP on vectors; any sampler, guidance, inpainting, image-to-image")
        {
            data, output, conditional, points, steps, batchSize, lr, warmup, lrSchedule, schedule, timesteps, prediction, minSnr, labelDropout, flip, ema,
            baseChannels, multipliers, resBlocks, attention, dropout, width, layers, sampler, samplerSteps, guidance, checkpointEvery, resume, seed, device,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            long seedValue = parse.GetValue(seed);
            Seeding.SeedEverything(seedValue);
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            bool resuming = parse.GetValue(resume);
            var loaded = DiffusionData.Load(parse.GetValue(data)!, parse.GetValue(conditional), CliOptions.Positive(parse, points), seedValue);
            bool images = loaded.Images;
            var samplerOptions = new SamplerOptions { Sampler = parse.GetValue(sampler)!, Steps = CliOptions.Positive(parse, samplerSteps) };
            samplerOptions.Create();
            var config = new DiffusionConfig
            {
                Network = images ? "unet" : "mlp",
                UNet = new UNetConfig
                {
                    Channels = (int)loaded.SampleShape[0], Resolution = images ? (int)loaded.SampleShape[1] : 28,
                    BaseChannels = CliOptions.Positive(parse, baseChannels), Multipliers = ParseInts(parse.GetValue(multipliers)!, "--multipliers"),
                    ResBlocksPerLevel = CliOptions.Positive(parse, resBlocks), AttentionLevels = ParseInts(parse.GetValue(attention)!, "--attention"),
                    Dropout = parse.GetValue(dropout),
                },
                Mlp = new MlpDenoiserConfig { Width = CliOptions.Positive(parse, width), Layers = CliOptions.Positive(parse, layers) },
                Schedule = NoiseSchedule.ParseKind(parse.GetValue(schedule) ?? (images ? "cosine" : "linear")),
                Timesteps = parse.GetValue(timesteps),
                Prediction = Predictions.Parse(parse.GetValue(prediction) ?? (images ? "v" : "epsilon")),
                SampleShape = loaded.SampleShape,
                Images = images,
                ClassNames = loaded.ClassNames,
                DataName = loaded.Name,
                DefaultSampler = samplerOptions,
                DefaultGuidance = parse.GetValue(guidance),
                VectorRange = images ? null : DataRange(loaded),
            };
            if (resuming && File.Exists(Path.Combine(outDir, Checkpoint.ConfigFile)))
                config = DiffusionConfig.FromJson(Checkpoint.ReadConfig(outDir).Config);
            double emaDecay = parse.GetValue(ema);
            var options = new DiffusionTrainingOptions
            {
                Steps = parse.GetValue(steps) ?? (images ? 5000 : 3000),
                BatchSize = parse.GetValue(batchSize) ?? (images ? 64 : 256),
                LearningRate = parse.GetValue(lr) ?? (images ? 8e-4 : 1e-3),
                Warmup = parse.GetValue(warmup),
                LearningRateSchedule = LearningRateSchedule.ParseKind(parse.GetValue(lrSchedule) ?? (images ? "cosine" : "constant")),
                EmaDecay = emaDecay > 0 ? emaDecay : null,
                MinSnrGamma = parse.GetValue(minSnr) ?? (images ? 5 : 0),
                LabelDropout = parse.GetValue(labelDropout),
                RandomFlip = parse.GetValue(flip),
                Seed = seedValue,
                CheckpointEvery = parse.GetValue(checkpointEvery),
            };
            options.Validate();
            var targetDevice = DeviceSelector.Parse(parse.GetValue(device));
            var network = config.CreateNetwork();
            network.to(targetDevice);
            using var model = new DiffusionModel(config, network);
            long parameters = network.parameters().Sum(p => p.numel());
            console.WriteLine($"diffusion: {config.Network} denoiser, {parameters:N0} parameters, {loaded.Set.Count:N0} training examples of [{string.Join(", ", loaded.SampleShape)}]"
                + (config.NumClasses > 0 ? $", {config.NumClasses} classes" : "") + $", device {targetDevice}");

            var run = new DiffusionRun(model, loaded, options, outDir, resuming, targetDevice.ToString());
            var watch = Stopwatch.StartNew();
            var result = run.Train();
            double seconds = watch.Elapsed.TotalSeconds;
            var metrics = new Dictionary<string, double> { ["parameters"] = parameters, ["steps"] = result.Steps, ["train_seconds"] = seconds, ["final_loss"] = result.LastLoss, ["skipped_steps"] = run.SkippedSteps };
            string? notes = result.Interrupted ? $"interrupted (Ctrl-C or SIGTERM) at step {result.Steps}; continue with --resume" : null;
            CheckpointWriter.Save(outDir, model, [loaded.Provenance], seedValue, targetDevice.ToString(), metrics, console, notes);
            if (!result.Interrupted)
            {
                var preview = DiffusionRun.WritePreview(model, loaded, outDir, seedValue);
                if (preview.Length > 0) console.WriteLine($"  samples                  {preview}");
            }
            return 0;
        });
        yield return command;
    }

    /// <summary>The training vectors' overall range widened by 10% on each side.</summary>
    private static (double, double) DataRange(DiffusionData data)
    {
        var (lo, hi) = data.Range ?? throw new InvalidOperationException("vector data without a range");
        double margin = 0.1 * (hi - lo);
        return (lo - margin, hi + margin);
    }

    private static int[] ParseInts(string text, string option)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        }
        catch (FormatException)
        {
            throw new LoomUsageException($"{option}: expected comma-separated integers, got '{text}'");
        }
    }
}
