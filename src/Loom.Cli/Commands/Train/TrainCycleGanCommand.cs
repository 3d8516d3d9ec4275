using System.CommandLine;
using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models.Adversarial.CycleGan;
using Loom.Training;
using TorchSharp;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train cyclegan --data fashion-mnist --domain-a sandal --domain-b sneaker …</c> (or <c>--data-a DIR --data-b DIR</c>):
/// unpaired image-to-image translation on the shared trainer. Writes the checkpoint, log.jsonl, loss.png and
/// translations.png; Ctrl-C saves and <c>--resume</c> continues bit-for-bit.
/// </summary>
public static class TrainCycleGanCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = new Option<string?>("--data") { Description = "fashion-mnist (pick the two classes with --domain-a/--domain-b)" };
        var domainA = new Option<string?>("--domain-a") { Description = "Fashion-MNIST class of domain A: index 0-9 or name (e.g. 5 or sandal)" };
        var domainB = new Option<string?>("--domain-b") { Description = "Fashion-MNIST class of domain B (e.g. 7 or sneaker)" };
        var dataA = new Option<string?>("--data-a") { Description = "Instead of --data: a folder of PNG images of domain A (one size; colour is averaged to grey)" };
        var dataB = new Option<string?>("--data-b") { Description = "Instead of --data: a folder of PNG images of domain B" };
        var output = CliOptions.Out("Checkpoint folder to write");
        var steps = new Option<long>("--steps") { Description = "Training steps (each updates the generators, then the discriminators)", DefaultValueFactory = _ => 2000 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images of each domain per step", DefaultValueFactory = _ => 16 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (betas 0.5, 0.999) of both phases", DefaultValueFactory = _ => 2e-4 };
        var lrSchedule = new Option<string>("--lr-schedule") { Description = "constant | linear (decay to 0 over the run) | cosine", DefaultValueFactory = _ => "constant" };
        var cycleWeight = new Option<double>("--cycle-weight") { Description = "λ: weight of the cycle-consistency L1 terms", DefaultValueFactory = _ => 10 };
        var identityWeight = new Option<double>("--identity-weight") { Description = "Identity L1 weight as a fraction of λ (0 = off)", DefaultValueFactory = _ => 0.5 };
        var poolSize = new Option<int>("--pool-size") { Description = "Generated images kept per domain for the discriminators (0 = off)", DefaultValueFactory = _ => 50 };
        var baseChannels = new Option<int>("--base-channels") { Description = "Generator channels at full resolution", DefaultValueFactory = _ => 32 };
        var resBlocks = new Option<int>("--res-blocks") { Description = "Generator residual blocks at the lowest resolution", DefaultValueFactory = _ => 4 };
        var downsamples = new Option<int>("--downsamples") { Description = "Generator stride-2 downsamplings (28 → 14 → 7 for 2)", DefaultValueFactory = _ => 2 };
        var discChannels = new Option<int>("--disc-channels") { Description = "Discriminator channels after its first layer", DefaultValueFactory = _ => 32 };
        var discLayers = new Option<int>("--disc-layers") { Description = "Discriminator stride-2 layers (patch map 7×7 on 28×28 for 2)", DefaultValueFactory = _ => 2 };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Save every N steps (0 = at the end and on Ctrl-C)", DefaultValueFactory = _ => 500 };
        var threads = new Option<int>("--threads")
        {
            Description = "libtorch CPU threads (0 = libtorch's default). Default 1: with more, libtorch's CPU convolution backward here "
                + "intermittently returns NaN gradients and those updates are skipped (docs/cyclegan.md)",
            DefaultValueFactory = _ => 1,
        };
        var dtype = new Option<string>("--dtype")
        {
            Description = "float32 | float64: float64 avoids the CPU convolution's NaN gradients (docs/cyclegan.md); faster for tiny networks, ~10× slower at the defaults",
            DefaultValueFactory = _ => "float32",
        };
        var resume = new Option<bool>("--resume") { Description = "Continue the run saved in --out from its last checkpoint" };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var command = new Command("cyclegan", "CycleGAN: unpaired image-to-image translation between two image domains (e.g. sandal ↔ sneaker)")
        {
            data, domainA, domainB, dataA, dataB, output, steps, batchSize, lr, lrSchedule, cycleWeight, identityWeight, poolSize,
            baseChannels, resBlocks, downsamples, discChannels, discLayers, checkpointEvery, threads, dtype, resume, seed, device,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            long seedValue = parse.GetValue(seed);
            Seeding.SeedEverything(seedValue);
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            bool resuming = parse.GetValue(resume);
            var options = new CycleGanTrainingOptions
            {
                Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batchSize), LearningRate = parse.GetValue(lr),
                LearningRateSchedule = LearningRateSchedule.ParseKind(parse.GetValue(lrSchedule)!),
                CycleWeight = parse.GetValue(cycleWeight), IdentityWeight = parse.GetValue(identityWeight), PoolSize = parse.GetValue(poolSize),
                Seed = seedValue, CheckpointEvery = parse.GetValue(checkpointEvery),
            };
            options.Validate();
            using var loaded = LoadData(parse.GetValue(data), parse.GetValue(domainA), parse.GetValue(domainB), parse.GetValue(dataA), parse.GetValue(dataB));
            var shape = loaded.ImageShape;
            var config = new CycleGanConfig
            {
                Channels = (int)shape[0], Height = (int)shape[1], Width = (int)shape[2],
                BaseChannels = parse.GetValue(baseChannels), ResBlocks = parse.GetValue(resBlocks), Downsamples = parse.GetValue(downsamples),
                DiscriminatorChannels = parse.GetValue(discChannels), DiscriminatorLayers = parse.GetValue(discLayers),
                DomainA = loaded.A.Name, DomainAClass = loaded.A.FashionMnistClass, DomainB = loaded.B.Name, DomainBClass = loaded.B.FashionMnistClass,
                DataName = loaded.DataName, DType = parse.GetValue(dtype)!.Trim().ToLowerInvariant(),
            };
            if (resuming && File.Exists(Path.Combine(outDir, Checkpoint.ConfigFile)))
                config = CycleGanConfig.FromJson(Checkpoint.ReadConfig(outDir).Config);
            config.Validate();
            if (!config.ImageShape.SequenceEqual(shape))
                throw new LoomUsageException($"--resume: {outDir} holds a model of [{string.Join(", ", config.ImageShape)}] images; the data has [{string.Join(", ", shape)}]");
            var targetDevice = DeviceSelector.Parse(parse.GetValue(device));
            int threadCount = parse.GetValue(threads);
            if (threadCount < 0) throw new LoomUsageException($"--threads: must be non-negative, got {threadCount}");
            if (threadCount > 0 && targetDevice.type == DeviceType.CPU) torch.set_num_threads(threadCount);
            var networks = new CycleGanNetworks(config);
            networks.to(targetDevice);
            using var model = new CycleGanModel(config, networks, targetDevice);
            long parameters = networks.parameters().Sum(p => p.numel());
            console.WriteLine($"cyclegan: {config.DomainA} ({loaded.A.Images.Count:N0} images) ↔ {config.DomainB} ({loaded.B.Images.Count:N0} images) "
                + $"of [{string.Join(", ", shape)}], {parameters:N0} parameters, device {targetDevice}");

            var run = new CycleGanRun(model, loaded, options, outDir, resuming, targetDevice.ToString());
            var watch = Stopwatch.StartNew();
            var result = run.Train();
            var metrics = new Dictionary<string, double>
            {
                ["parameters"] = parameters, ["steps"] = result.Steps, ["train_seconds"] = watch.Elapsed.TotalSeconds, ["skipped_steps"] = run.SkippedSteps,
            };
            foreach (var (key, value) in LastMetrics(outDir)) metrics[key] = value;
            string? notes = result.Interrupted ? $"interrupted (Ctrl-C or SIGTERM) at step {result.Steps}; continue with --resume" : null;
            CheckpointWriter.Save(outDir, model, [loaded.A.Provenance, loaded.B.Provenance], seedValue, targetDevice.ToString(), metrics, console, notes);
            if (!result.Interrupted)
                console.WriteLine($"  translations             {CycleGanRun.WritePreview(model, loaded, outDir)}");
            return 0;
        });
        yield return command;
    }

    private static CycleGanData LoadData(string? data, string? domainA, string? domainB, string? dataA, string? dataB)
    {
        if (dataA is not null || dataB is not null)
        {
            if (data is not null)
                throw new LoomUsageException("--data and --data-a/--data-b: give either a data set with two classes or two folders, not both");
            if (domainA is not null || domainB is not null)
                throw new LoomUsageException("--domain-a/--domain-b pick Fashion-MNIST classes; with --data-a/--data-b the folders are the domains");
            if (dataA is null || dataB is null)
                throw new LoomUsageException($"{(dataA is null ? "--data-a" : "--data-b")}: missing; two folders are needed, one per domain");
            return CycleGanData.FromFolders(dataA, dataB);
        }
        if (data is null)
            throw new LoomUsageException("--data: missing; use --data fashion-mnist --domain-a CLASS --domain-b CLASS, or --data-a DIR --data-b DIR");
        if (!string.Equals(data, FashionMnist.Name, StringComparison.OrdinalIgnoreCase))
            throw new LoomUsageException($"--data: '{data}' is not supported; use fashion-mnist, or two folders of PNGs with --data-a/--data-b");
        if (domainA is null || domainB is null)
            throw new LoomUsageException($"{(domainA is null ? "--domain-a" : "--domain-b")}: missing; --data fashion-mnist needs two classes, e.g. --domain-a sandal --domain-b sneaker");
        return CycleGanData.FromFashionMnist(domainA, domainB);
    }

    /// <summary>The last logged value of each CycleGAN loss term, for the model card.</summary>
    private static IEnumerable<(string, double)> LastMetrics(string outDir)
    {
        var entries = MetricsLog.ReadFile(Path.Combine(outDir, Checkpoint.LogFile));
        foreach (var key in new[] { "generators_loss", "discriminators_loss", "generators_cycle", "generators_identity", "discriminators_d_a", "discriminators_d_b" })
            if (entries.LastOrDefault(e => e[key] is not null) is { } last)
                yield return ("final_" + key, last[key]!.GetValue<double>());
    }
}
