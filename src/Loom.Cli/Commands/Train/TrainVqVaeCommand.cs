using System.CommandLine;
using Loom.Models;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train vqvae</c>: maps flags onto the VQ-VAE family's recipe (unset flags take the recipe's defaults) and trains
/// both stages — the autoencoder, then the PixelCNN prior over its codes — through the registry. Nothing here decides
/// how a model is trained.
/// </summary>
public static class TrainVqVaeCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = new Option<string?>("--data")
        {
            Description = "fashion-mnist or a folder of square grey PNGs of one size (a multiple of 4, e.g. 28×28)",
        };
        var classes = new Option<string?>("--classes")
        {
            Description = "Fashion-MNIST classes to keep, e.g. 0,1 (relabelled 0, 1, … in that order)",
        };
        var limit = new Option<int?>("--train-limit") { Description = "Train on the first N images only (0 = all; default)" };
        var codes = new Option<int?>("--codes") { Description = "K, codebook size (default 64)" };
        var codeDim = new Option<int?>("--code-dim") { Description = "D, dimension of a code (default 16)" };
        var hidden = new Option<int?>("--hidden") { Description = "Channels of the encoder and decoder (default 64)" };
        var resBlocks = new Option<int?>("--res-blocks") { Description = "Residual blocks in the encoder and in the decoder (default 2)" };
        var resChannels = new Option<int?>("--res-channels") { Description = "Channels inside a residual block (default 32)" };
        var steps = new Option<long?>("--steps") { Description = "Stage 1 (autoencoder) optimizer steps (default 3000)" };
        var priorSteps = new Option<long?>("--prior-steps") { Description = "Stage 2 (prior) optimizer steps (default 3000)" };
        var batchSize = new Option<int?>("--batch-size") { Description = "Images (stage 1) or code maps (stage 2) per step (default 64)" };
        var lr = new Option<double?>("--lr") { Description = "Stage 1 learning rate (AdamW; default 1e-3)" };
        var priorLr = new Option<double?>("--prior-lr") { Description = "Stage 2 learning rate (AdamW; default 1e-3)" };
        var commitment = new Option<double?>("--commitment") { Description = "β, weight of the commitment loss (default 0.25)" };
        var emaDecay = new Option<double?>("--ema-decay") { Description = "γ, decay of the codebook's moving averages (default 0.99)" };
        var deadThreshold = new Option<double?>("--dead-code-threshold")
        {
            Description = "Restart codes whose EMA count falls below this many vectors per batch (0 = never; default 1)",
        };
        var priorChannels = new Option<int?>("--prior-channels") { Description = "Channels of the PixelCNN prior (default 64)" };
        var priorLayers = new Option<int?>("--prior-layers") { Description = "Gated masked layers of the prior (default 4)" };
        var conditional = new Option<bool?>("--conditional-prior")
        {
            Description = "Condition the prior on class labels (fashion-mnist)", Arity = ArgumentArity.ZeroOrOne,
        };
        var logEvery = new Option<long?>("--log-every") { Description = "Write a log.jsonl entry every N steps (default 10)" };
        var checkpointEvery = new Option<long?>("--checkpoint-every")
        {
            Description = "Save every N steps of either stage (0 = at the end of each stage and on Ctrl-C; default 500)",
        };
        var seed = new Option<long?>("--seed") { Description = "Seed for every random number generator (default 0)" };
        var shared = new CliTraining();
        var command = new Command("vqvae",
            "VQ-VAE with an EMA codebook, then a PixelCNN prior over its codes; samples are prior → codes → decoder")
        {
            data, classes, limit, codes, codeDim, hidden, resBlocks, resChannels, steps, priorSteps, batchSize, lr, priorLr, commitment,
            emaDecay, deadThreshold, priorChannels, priorLayers, conditional, logEvery, checkpointEvery, seed,
        };
        foreach (var option in shared.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var flags = new RecipeFlags(parse)
                .Add("data", data).Add("classes", classes).Add("train_limit", limit).Add("codes", codes).Add("code_dim", codeDim)
                .Add("hidden", hidden).Add("res_blocks", resBlocks).Add("res_channels", resChannels).Add("steps", steps)
                .Add("prior_steps", priorSteps).Add("batch_size", batchSize).Add("learning_rate", lr).Add("prior_learning_rate", priorLr)
                .Add("commitment", commitment).Add("ema_decay", emaDecay).Add("dead_code_threshold", deadThreshold)
                .Add("prior_channels", priorChannels).Add("prior_layers", priorLayers).Add("conditional_prior", conditional)
                .Add("log_every", logEvery).Add("checkpoint_every", checkpointEvery).Add("seed", seed);
            var recipe = shared.Recipe(parse, flags.Json);
            using var progress = new ConsoleProgress("train vqvae", Console.Error);
            var context = shared.Context(parse, progress, console);
            using var outcome = ModelRegistry.Trainable("vqvae").Train(recipe, context);
            CliTraining.Report(outcome, context, console);
            return 0;
        });
        yield return command;
    }
}
