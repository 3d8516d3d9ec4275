using System.CommandLine;
using Loom.Models;
using Loom.Models.Adversarial.CycleGan;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train cyclegan --data fashion-mnist --domain-a sandal --domain-b sneaker …</c> (or <c>--data-a DIR --data-b DIR</c>):
/// maps the flags given onto the CycleGAN family's recipe (unset flags take the library's defaults) and trains through
/// the registry. Nothing here decides how a CycleGAN is trained.
/// </summary>
public static class TrainCycleGanCommand
{
    public static IEnumerable<Command> Create()
    {
        var d = CycleGanRecipe.Defaults;
        var data = new Option<string?>("--data") { Description = "fashion-mnist (pick the two classes with --domain-a/--domain-b)" };
        var domainA = new Option<string?>("--domain-a")
        {
            Description = "Fashion-MNIST class of domain A: index 0-9 or name (e.g. 5 or sandal)",
        };
        var domainB = new Option<string?>("--domain-b") { Description = "Fashion-MNIST class of domain B (e.g. 7 or sneaker)" };
        var dataA = new Option<string?>("--data-a")
        {
            Description = "Instead of --data: a folder of PNG images of domain A (one size; colour is averaged to grey)",
        };
        var dataB = new Option<string?>("--data-b") { Description = "Instead of --data: a folder of PNG images of domain B" };
        var steps = new Option<long?>("--steps")
        {
            Description = $"Training steps (each updates the generators, then the discriminators; default {d.Steps})",
        };
        var batchSize = new Option<int?>("--batch-size") { Description = $"Images of each domain per step (default {d.BatchSize})" };
        var lr = new Option<double?>("--lr")
        {
            Description = $"Adam learning rate (betas 0.5, 0.999) of both phases (default {d.LearningRate})",
        };
        var lrSchedule = new Option<string?>("--lr-schedule")
        {
            Description = $"constant | linear (decay to 0 over the run) | cosine (default {d.LrSchedule})",
        };
        var cycleWeight = new Option<double?>("--cycle-weight")
        {
            Description = $"λ: weight of the cycle-consistency L1 terms (default {d.CycleWeight})",
        };
        var identityWeight = new Option<double?>("--identity-weight")
        {
            Description = $"Identity L1 weight as a fraction of λ (0 = off; default {d.IdentityWeight})",
        };
        var poolSize = new Option<int?>("--pool-size")
        {
            Description = $"Generated images kept per domain for the discriminators (0 = off; default {d.PoolSize})",
        };
        var baseChannels = new Option<int?>("--base-channels")
        {
            Description = $"Generator channels at full resolution (default {d.BaseChannels})",
        };
        var resBlocks = new Option<int?>("--res-blocks")
        {
            Description = $"Generator residual blocks at the lowest resolution (default {d.ResBlocks})",
        };
        var downsamples = new Option<int?>("--downsamples")
        {
            Description = $"Generator stride-2 downsamplings (28 → 14 → 7 for 2; default {d.Downsamples})",
        };
        var discChannels = new Option<int?>("--disc-channels")
        {
            Description = $"Discriminator channels after its first layer (default {d.DiscriminatorChannels})",
        };
        var discLayers = new Option<int?>("--disc-layers")
        {
            Description = $"Discriminator stride-2 layers (patch map 7×7 on 28×28 for 2; default {d.DiscriminatorLayers})",
        };
        var checkpointEvery = new Option<long?>("--checkpoint-every")
        {
            Description = $"Save every N steps (0 = at the end and on Ctrl-C; default {d.CheckpointEvery})",
        };
        var threads = new Option<int?>("--threads")
        {
            Description = $"libtorch CPU threads (0 = libtorch's default). Default {d.Threads}: with more, "
                + "libtorch's CPU convolution backward here intermittently returns NaN gradients and those updates are skipped "
                + "(docs/cyclegan.md)",
        };
        var dtype = new Option<string?>("--dtype")
        {
            Description = "float32 | float64: float64 avoids the CPU convolution's NaN gradients (docs/cyclegan.md); "
                + $"faster for tiny networks, ~10× slower at the defaults (default {d.Dtype})",
        };
        var seed = new Option<long?>("--seed") { Description = $"Seed for every random number generator (default {d.Seed})" };
        var shared = new CliTraining();
        var command = new Command("cyclegan",
            "CycleGAN: unpaired image-to-image translation between two image domains (e.g. sandal ↔ sneaker)")
        {
            data, domainA, domainB, dataA, dataB, steps, batchSize, lr, lrSchedule, cycleWeight, identityWeight, poolSize,
            baseChannels, resBlocks, downsamples, discChannels, discLayers, checkpointEvery, threads, dtype, seed,
        };
        foreach (var option in shared.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var flags = new RecipeFlags(parse)
                .Add("data", data).Add("domain_a", domainA).Add("domain_b", domainB).Add("data_a", dataA).Add("data_b", dataB)
                .Add("steps", steps).Add("batch_size", batchSize).Add("learning_rate", lr).Add("lr_schedule", lrSchedule)
                .Add("cycle_weight", cycleWeight).Add("identity_weight", identityWeight).Add("pool_size", poolSize)
                .Add("base_channels", baseChannels).Add("res_blocks", resBlocks).Add("downsamples", downsamples)
                .Add("discriminator_channels", discChannels).Add("discriminator_layers", discLayers)
                .Add("checkpoint_every", checkpointEvery).Add("threads", threads).Add("dtype", dtype).Add("seed", seed);
            var recipe = shared.Recipe(parse, flags.Json);
            using var progress = new ConsoleProgress("train cyclegan", Console.Error);
            var context = shared.Context(parse, progress, console);
            using var outcome = ModelRegistry.Trainable(CycleGanModel.KindName).Train(recipe, context);
            CliTraining.Report(outcome, context, console);
            return 0;
        });
        yield return command;
    }
}
