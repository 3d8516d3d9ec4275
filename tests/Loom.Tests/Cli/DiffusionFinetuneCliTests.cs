using System.Text.Json.Nodes;
using Loom.Models.Adapters;
using Loom.Tests.Adapters;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>
/// <c>loom finetune</c> on a diffusion checkpoint through the real binary: a LoRA adapter trained on a tiny U-Net is saved
/// as peft saves one, <c>loom sample --adapter</c> applies it (the samples change, and repeat with the same seed),
/// <c>--resume</c> trains a finished run longer, and bad input gets one line and a non-zero exit.
/// </summary>
public sealed class DiffusionFinetuneCliTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string baseModel, images;

    public DiffusionFinetuneCliTests() => (baseModel, images) = UNetLoraTests.SaveFineTuneFixture(folder);

    public void Dispose() => folder.Dispose();

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(folder.Path, TimeSpan.FromMinutes(3), args);

    private static readonly string[] Settings = ["--batch-size", "4", "--warmup", "1", "--lr", "0.05", "--lora-rank", "2",
        "--seed", "2"];

    private static readonly string[] Quick = ["--steps", "4", .. Settings];

    private byte[] Sample(string name, params string[] extra)
    {
        var png = folder.File(name);
        var run = Loom(["sample", baseModel, "--n", "4", "--seed", "3", "--out", png, .. extra]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return File.ReadAllBytes(png);
    }

    [Fact]
    public void Finetune_writes_a_U_Net_adapter_that_sample_applies_and_resume_extends()
    {
        var adapter = folder.File("adapter");
        var run = Loom(["finetune", baseModel, "--data", images, "--out", adapter, .. Quick]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("saved LoRA adapter", run.Stdout);
        Assert.Contains("trainable_parameters", run.Stdout);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(adapter, LoraConfig.FileName)))!;
        Assert.Equal("diffusion", config["loom_model_kind"]!.GetValue<string>());
        var keys = global::Loom.IO.SafeTensorsFile.ReadHeader(Path.Combine(adapter, LoraAdapterFiles.WeightsFile))
            .Entries.Select(e => e.Name).ToList();
        Assert.Contains("base_model.model.mid_resnet_1.conv1.lora_A.weight", keys);
        Assert.Contains("base_model.model.mid_attention.to_v.lora_B.weight", keys);

        var plain = Sample("plain.png");
        var adapted = Sample("adapted.png", "--adapter", adapter);
        Assert.NotEqual(plain, adapted);
        Assert.Equal(adapted, Sample("again.png", "--adapter", adapter));

        var longer = Loom(["finetune", baseModel, "--data", images, "--out", adapter, "--resume", "--steps", "6", .. Settings]);
        Assert.True(longer.ExitCode == 0, longer.ToString());
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(adapter, FineTuning.MetricsFile)))!;
        Assert.Equal(6, metrics["steps"]!.GetValue<double>());
        Assert.Equal(6, File.ReadLines(Path.Combine(adapter, "log.jsonl")).Count());
    }

    [Fact]
    public void Bad_input_gets_one_line()
    {
        var noMatch = Loom(["finetune", baseModel, "--data", images, "--out", folder.File("a"), "--target-modules", "c_attn", .. Quick]);
        CliAssert.OneLineError(noMatch, 2, "--target-modules: 'c_attn' matches no module of this diffusion U-Net");
        var classes = Loom(["finetune", baseModel, "--data", images, "--classes", "9", "--out", folder.File("b"), .. Quick]);
        CliAssert.OneLineError(classes, 2, "--classes");
        var notThere = Loom(["sample", baseModel, "--adapter", folder.File("missing"), "--out", folder.File("x.png")]);
        CliAssert.OneLineError(notThere, 2, "adapter: no folder");
        var resumeNothing = Loom(["finetune", baseModel, "--data", images, "--out", folder.File("c"), "--resume", .. Quick]);
        CliAssert.OneLineError(resumeNothing, 2, "--resume");
    }
}
