using System.CommandLine;
using Loom.Cli.Commands.Train;
using Loom.Models.Adapters;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom finetune CKPT|HF_DIR --data TEXT|IMAGES --out DIR</c>: trains a LoRA adapter on a frozen transformer language
/// model or U-Net diffusion model (<c>--lora-rank --lora-alpha --lora-dropout --target-modules</c>) and saves it as peft
/// does, or with <c>--full</c> every weight into a new checkpoint. Ctrl-C saves the run; <c>--resume</c> continues it.
/// The flags map one to one onto <see cref="FineTuneRecipe"/>; the work is
/// <see cref="FineTuning.Run"/>.
/// </summary>
public static class FinetuneCommand
{
    public static Command Create()
    {
        var baseModel = new Argument<string>("checkpoint")
        {
            Description = "The model to fine-tune: a checkpoint folder or an HF model folder",
        };
        var data = CliOptions.Data("What to fine-tune on: for a language model a UTF-8 file or a text data set (tinyshakespeare, "
            + "names, kjv); for a diffusion model fashion-mnist or a folder of PNG images");
        var classes = new Option<string?>("--classes")
        {
            Description = "Fashion-MNIST classes to fine-tune a diffusion model on, e.g. 9 or 0,5,7 (default: all)",
        };
        var full = new Option<bool>("--full") { Description = "Train every weight and save a full checkpoint instead of a LoRA adapter" };
        var defaults = new FineTuneRecipe();
        var rank = new Option<int>("--lora-rank") { Description = "LoRA rank r", DefaultValueFactory = _ => defaults.LoraRank };
        var alpha = new Option<double>("--lora-alpha")
        {
            Description = "LoRA α; the update is scaled by α/r", DefaultValueFactory = _ => defaults.LoraAlpha,
        };
        var dropout = new Option<double>("--lora-dropout") { Description = "Dropout on the adapter's input while training" };
        var targets = new Option<string?>("--target-modules")
        {
            Description = "Layers to adapt: names matched as peft does (c_attn,c_proj; q_proj,v_proj) or re:REGEX over whole module paths; "
                + "default: c_attn for GPT-2, q_proj,v_proj for Llama, to_q,to_k,to_v,to_out,conv1,conv2 for the diffusion U-Net",
        };
        var steps = new Option<long>("--steps") { Description = "Optimizer steps", DefaultValueFactory = _ => defaults.Steps };
        var batch = new Option<int>("--batch-size") { Description = "Windows per step", DefaultValueFactory = _ => defaults.BatchSize };
        var context = new Option<int?>("--context") { Description = "Tokens per window (default 64, or the model's context when shorter)" };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default 1e-3 for LoRA, 3e-4 with --full)" };
        var warmup = new Option<long>("--warmup") { Description = "Warmup steps", DefaultValueFactory = _ => defaults.Warmup };
        var evalEvery = new Option<long>("--eval-every")
        {
            Description = "Estimate train/val loss every N steps (0: never)", DefaultValueFactory = _ => defaults.EvalEvery,
        };
        var checkpointEvery = new Option<long>("--checkpoint-every")
        {
            Description = "Save the adapter and trainer state every N steps (0: at the end and when cancelled)",
        };
        var seed = CliOptions.Seed();
        var shared = new CliTraining();
        var command = new Command("finetune",
            "Fine-tune a language or diffusion model with a LoRA adapter (peft's files) or fully (--full); --resume continues a run")
        {
            baseModel, data, classes, full, rank, alpha, dropout, targets, steps, batch, context, lr, warmup, evalEvery, checkpointEvery,
            seed, shared.Out, shared.Resume, shared.Overwrite, shared.Device,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var recipe = new FineTuneRecipe
            {
                Base = parse.GetValue(baseModel), Data = parse.GetValue(data), Classes = parse.GetValue(classes),
                Full = parse.GetValue(full),
                LoraRank = parse.GetValue(rank), LoraAlpha = parse.GetValue(alpha), LoraDropout = parse.GetValue(dropout),
                TargetModules = parse.GetValue(targets), Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batch),
                Context = parse.GetValue(context), LearningRate = parse.GetValue(lr), Warmup = parse.GetValue(warmup),
                EvalEvery = parse.GetValue(evalEvery), CheckpointEvery = parse.GetValue(checkpointEvery), Seed = parse.GetValue(seed),
            };
            using var progress = new ConsoleProgress("finetune", Console.Error);
            var trainingContext = shared.Context(parse, progress, console);
            var outcome = FineTuning.Run(recipe, trainingContext);
            console.WriteLine($"saved {(recipe.Full ? "fine-tuned checkpoint" : "LoRA adapter")} to {trainingContext.OutputFolder}"
                + (outcome.Interrupted ? " (interrupted; continue with --resume)" : ""));
            foreach (var (name, value) in outcome.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
                console.WriteLine($"  {name,-24} {value:G6}");
            return outcome.Interrupted ? 130 : 0;
        });
        return command;
    }
}
