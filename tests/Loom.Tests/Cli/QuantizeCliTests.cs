using System.Globalization;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>A tiny GPT trained once through the real binary, for the <c>loom quantize</c> tests.</summary>
public sealed class TinyGptCheckpoint
{
    public TinyGptCheckpoint()
    {
        Work = RepoPaths.NewTempDir("loom-quantize-cli");
        var run = CliRunner.Run(Work, "train", "gpt", "--data", "names", "--steps", "12", "--batch-size", "16", "--layers", "1",
            "--heads", "2", "--width", "32", "--eval-every", "0", "--seed", "1", "--out", "gpt");
        Assert.True(run.ExitCode == 0, run.ToString());
        File.WriteAllText(Path.Combine(Work, "names.txt"), "emma\nolivia\nava\nisabella\nsophia\nmia\ncharlotte\namelia\n");
    }

    public string Work { get; }
}

/// <summary>
/// <c>loom quantize</c> end to end: train → quantize → sample and score through the commands that load any checkpoint;
/// int8 scores within 1% of float; bad bits and group sizes are refused in one line.
/// </summary>
public sealed class QuantizeCliTests(TinyGptCheckpoint tiny) : IClassFixture<TinyGptCheckpoint>
{
    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(tiny.Work, args);

    private double NatsPerChar(string checkpoint)
    {
        var run = Loom("score", checkpoint, "--data", "names.txt");
        Assert.True(run.ExitCode == 0, run.ToString());
        var line = run.Stdout.Split('\n').Single(l => l.StartsWith("nats_per_char", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void An_int8_copy_is_smaller_scores_within_one_percent_and_samples()
    {
        var out8 = "q8-" + Guid.NewGuid().ToString("N");
        var run = Loom("quantize", "gpt", "--bits", "8", "--out", out8);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("quantized 4 layers to 8 bits", run.Stdout);
        Assert.True(new FileInfo(Path.Combine(tiny.Work, out8, "model.safetensors")).Length
            < new FileInfo(Path.Combine(tiny.Work, "gpt", "model.safetensors")).Length / 2);
        double fp32 = NatsPerChar("gpt"), int8 = NatsPerChar(out8);
        Assert.InRange(Math.Abs(int8 - fp32) / fp32, 0, 0.01);
        var sample = Loom("sample", out8, "--n", "3", "--seed", "2");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.True(sample.Stdout.Trim().Length > 0, sample.ToString());
    }

    [Fact]
    public void A_four_bit_copy_samples_and_scores()
    {
        var out4 = "q4-" + Guid.NewGuid().ToString("N");
        var run = Loom("quantize", "gpt", "--bits", "4", "--group-size", "16", "--out", out4);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(double.IsFinite(NatsPerChar(out4)));
        var sample = Loom("sample", out4, "--n", "2", "--seed", "3");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        var info = Loom("info", out4);
        Assert.Contains("\"quantization\":{\"bits\":4", info.Stdout);
        Assert.Contains("loads     yes", info.Stdout);
    }

    [Theory]
    [InlineData("--bits", "3", "--bits: must be 8 or 4")]
    [InlineData("--group-size", "7", "--group-size: must be a positive even number")]
    public void Bad_settings_are_refused_in_one_line(string flag, string value, string message)
    {
        var args = new List<string> { "quantize", "gpt", "--out", "bad-" + Guid.NewGuid().ToString("N"), flag, value };
        if (flag == "--group-size") args.AddRange(["--bits", "4"]);
        CliAssert.OneLineError(Loom([.. args]), 2, message);
    }

    [Fact]
    public void A_quantized_checkpoint_is_not_quantized_again_nor_computed_in_half_precision()
    {
        var out8 = "again-" + Guid.NewGuid().ToString("N");
        Assert.Equal(0, Loom("quantize", "gpt", "--bits", "8", "--out", out8).ExitCode);
        CliAssert.OneLineError(Loom("quantize", out8, "--bits", "4", "--out", out8 + "-4"), 2, "already quantized");
        CliAssert.OneLineError(Loom("sample", out8, "--dtype", "bfloat16"), 2, "--dtype: a quantized checkpoint (8-bit)");
    }
}
