using System.CommandLine;
using Loom.Models;
using Loom.Models.Language;
using Loom.Training.Runs;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train gpt|llama|lstm|gru</c>: maps flags onto the language-model recipe (unset flags take the preset) and
/// trains through the registry's family of the kind. Nothing here decides how a model is trained.
/// </summary>
public static class TrainLanguageModelCommand
{
    /// <summary>One command per registered family that trains from a <see cref="LanguageModelRecipe"/>.</summary>
    public static IEnumerable<Command> Create() =>
        ModelRegistry.All.Where(f => f is ITrainableFamily { RecipeType: var recipe } && recipe == typeof(LanguageModelRecipe))
            .Select(CreateFor);

    private static Command CreateFor(IModelFamily family)
    {
        var presets = string.Join(" | ", LanguageModelPresets.All.Select(p => p.Name));
        var data = new Option<string?>("--data") { Description = "UTF-8 text file, or a text data set: tinyshakespeare, names, kjv" };
        var tokenizer = new Option<string?>("--tokenizer")
        {
            Description = "char | bpe:N (byte-level BPE trained to N tokens) | tiktoken (o200k_base) (default char)",
        };
        var preset = new Option<string?>("--preset")
        {
            Description = $"{presets} (default: shakespeare-char-cpu for text, names for line data)",
        };
        var layout = new Option<string?>("--layout")
        {
            Description = "stream (one text, random windows) | lines (one sequence per line) | "
                + "auto (lines for the names data set; default)",
        };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps" };
        var batchSize = new Option<int?>("--batch-size") { Description = "Sequences per step" };
        var context = new Option<int?>("--context") { Description = "Tokens per training window (the model's context length)" };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (cosine decay to --min-lr)" };
        var minLr = new Option<double?>("--min-lr") { Description = "Learning rate at the end" };
        var warmup = new Option<long?>("--warmup") { Description = "Linear warmup steps" };
        var layers = new Option<int?>("--layers") { Description = "Transformer blocks or RNN layers" };
        var heads = new Option<int?>("--heads") { Description = "Attention heads" };
        var kvHeads = new Option<int?>("--kv-heads") { Description = "Key/value heads (llama: grouped-query attention)" };
        var width = new Option<int?>("--width") { Description = "Transformer width (embedding size)" };
        var hidden = new Option<int?>("--hidden") { Description = "RNN hidden size" };
        var embedding = new Option<int?>("--embedding") { Description = "RNN embedding size" };
        var dropout = new Option<double?>("--dropout") { Description = "Dropout probability" };
        var evalEvery = new Option<long?>("--eval-every") { Description = "Estimate train/val loss every N steps" };
        var checkpointEvery = new Option<long?>("--checkpoint-every")
        {
            Description = "Save every N steps (0 = at the end and on Ctrl-C; default 0)",
        };
        var seed = new Option<long?>("--seed") { Description = "Seed for every random number generator (default 0)" };
        var precision = new Option<string?>("--precision")
        {
            Description = "float32 | bfloat16: the dtype the network trains in (bfloat16 keeps float32 master weights; the saved "
                + "model is float32; default float32)",
        };
        var dp = new DpTrainingFlags("transformers; each disjoint window or line is one example");
        var distillation = new DistillationFlags();
        var shared = new CliTraining();
        var command = new Command(family.Kind, family.Summary)
        {
            data, tokenizer, preset, layout, steps, batchSize, context, lr, minLr, warmup, layers, heads, kvHeads, width, hidden, embedding,
            dropout, evalEvery, checkpointEvery, seed, precision,
        };
        foreach (var option in dp.All.Concat(distillation.All).Concat(shared.All)) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var flags = distillation.AddTo(dp.AddTo(new RecipeFlags(parse)))
                .Add("data", data).Add("tokenizer", tokenizer).Add("preset", preset).Add("layout", layout).Add("steps", steps)
                .Add("batch_size", batchSize).Add("context", context).Add("learning_rate", lr).Add("min_learning_rate", minLr)
                .Add("warmup", warmup).Add("layers", layers).Add("heads", heads).Add("kv_heads", kvHeads).Add("width", width)
                .Add("hidden", hidden).Add("embedding", embedding).Add("dropout", dropout).Add("eval_every", evalEvery)
                .Add("checkpoint_every", checkpointEvery).Add("seed", seed).Add("precision", precision);
            var recipe = shared.Recipe(parse, flags.Json);
            using var progress = new ConsoleProgress($"train {family.Kind}", Console.Error);
            var trainingContext = shared.Context(parse, progress, console);
            using var outcome = ModelRegistry.Trainable(family.Kind).Train(recipe, trainingContext);
            CliTraining.Report(outcome, trainingContext, console);
            return 0;
        });
        return command;
    }
}
