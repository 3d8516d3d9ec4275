using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;
using Loom.Models.Adapters;
using Loom.Models.Language;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;

namespace Loom.Tests.Cli;

/// <summary>
/// <c>loom finetune</c> through the real binary: a LoRA adapter trained on a tiny random GPT-2 lowers the loss on its
/// text, is saved as peft saves one, and applies with <c>--adapter</c> to sample and score; <c>--full</c> writes a
/// checkpoint; an adapter for another base and a target pattern that matches nothing get one-line errors.
/// </summary>
public sealed class FinetuneCliTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string text;

    public FinetuneCliTests()
    {
        text = folder.File("verse.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("the cat sat on the mat. a dog ran in the fog.\n", 40)));
    }

    public void Dispose() => folder.Dispose();

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(folder.Path, TimeSpan.FromMinutes(3), args);

    /// <summary>A random character-level GPT-2 over the text's characters, saved as a Loom checkpoint.</summary>
    private string SaveBase(string name, int width)
    {
        var path = folder.File(name);
        var characters = File.ReadAllText(text).Select(c => c.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        var tokenizer = new CharTokenizer(characters);
        var network = new DecoderTransformer(TransformerConfig.Gpt2(tokenizer.VocabSize, 32, 2, 2, width), seed: 1);
        using var model = new NeuralLanguageModel("gpt", network, tokenizer, SequenceLayout.Stream, tokenizer.Encode("\n")[0]);
        Checkpoint.Save(path, model, new ModelCard { Kind = "gpt" });
        return path;
    }

    private static readonly string[] Quick = ["--steps", "60", "--batch-size", "8", "--context", "16", "--warmup", "4", "--lr", "0.03",
        "--eval-every", "0", "--seed", "2"];

    private static double Nll(CliRunner.Result score) =>
        double.Parse(score.Stdout.Split('\n').First(l => l.StartsWith("nll", StringComparison.Ordinal)).Split(' ',
            StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Finetune_writes_a_peft_adapter_that_sample_and_score_apply()
    {
        var baseModel = SaveBase("base", 16);
        var adapter = folder.File("adapter");
        var run = Loom(["finetune", baseModel, "--data", text, "--lora-rank", "4", "--lora-alpha", "8",
            "--target-modules", "c_attn,c_proj", "--out", adapter, .. Quick]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("saved LoRA adapter", run.Stdout);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(adapter, LoraConfig.FileName)))!;
        Assert.Equal(4, config["r"]!.GetValue<int>());
        Assert.Equal(["c_attn", "c_proj"], config["target_modules"]!.AsArray().Select(n => n!.GetValue<string>()));
        var header = global::Loom.IO.SafeTensorsFile.ReadHeader(Path.Combine(adapter, LoraAdapterFiles.WeightsFile));
        var keys = header.Entries.Select(e => e.Name).ToList();
        Assert.Equal(2 * 2 * 3, keys.Count);   // 2 layers × (c_attn, attn.c_proj, mlp.c_proj) × (A, B)
        Assert.Contains("base_model.model.transformer.h.1.mlp.c_proj.lora_B.weight", keys);
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(adapter, FineTuning.MetricsFile)))!;
        Assert.True(metrics["val_loss"]!.GetValue<double>() < metrics["val_loss_before"]!.GetValue<double>() - 0.1, metrics.ToJsonString());

        var before = Loom("score", baseModel, "--data", text);
        var after = Loom("score", baseModel, "--data", text, "--adapter", adapter);
        Assert.True(before.ExitCode == 0 && after.ExitCode == 0, before + "\n" + after);
        Assert.True(Nll(after) < Nll(before) - 0.05, $"score without {Nll(before)}, with the adapter {Nll(after)}");

        var sample = Loom("sample", baseModel, "--adapter", adapter, "--n", "1", "--max-tokens", "20", "--prompt", "the ", "--seed", "3");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.StartsWith("the ", sample.Stdout);
        Assert.Equal(sample.Stdout,
            Loom("sample", baseModel, "--adapter", adapter, "--n", "1", "--max-tokens", "20", "--prompt", "the ", "--seed", "3").Stdout);
    }

    [Fact]
    public void Full_finetuning_writes_a_checkpoint_that_scores_better()
    {
        var baseModel = SaveBase("base", 16);
        var tuned = folder.File("full");
        var run = Loom(["finetune", baseModel, "--data", text, "--full", "--out", tuned, .. Quick]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(Path.Combine(tuned, Checkpoint.ModelFile)), run.ToString());
        Assert.True(Nll(Loom("score", tuned, "--data", text)) < Nll(Loom("score", baseModel, "--data", text)) - 0.3);
    }

    [Fact]
    public void Bad_adapters_and_targets_get_one_line_errors()
    {
        var wide = SaveBase("wide", 32);
        var narrow = SaveBase("narrow", 16);
        var adapter = folder.File("wide-adapter");
        var run = Loom(["finetune", wide, "--data", text, "--out", adapter, "--steps", "2", "--eval-every", "0"]);
        Assert.True(run.ExitCode == 0, run.ToString());

        var mismatch = Loom("sample", narrow, "--adapter", adapter, "--n", "1", "--max-tokens", "5");
        CliAssert.OneLineError(mismatch, 1, "lora_A.weight has shape [8, 32] but this model needs [8, 16]");
        var nothing = Loom("finetune", narrow, "--data", text, "--out", folder.File("x"), "--target-modules", "q_proj", "--steps", "2");
        CliAssert.OneLineError(nothing, 2, "--target-modules: 'q_proj' matches no module");
        var badRank = Loom("finetune", narrow, "--data", text, "--out", folder.File("y"), "--lora-rank", "0");
        CliAssert.OneLineError(badRank, 2, "--lora-rank");
        var missing = Loom("score", narrow, "--data", text, "--adapter", folder.File("nowhere"));
        CliAssert.OneLineError(missing, 2, "adapter: no folder");
    }
}
