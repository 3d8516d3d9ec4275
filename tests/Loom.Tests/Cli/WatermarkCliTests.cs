using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>
/// The watermark through the real binary: <c>loom sample --watermark-key</c> on a tiny, barely trained char GPT (high
/// entropy, so the watermark shows in 200 tokens), <c>loom watermark detect</c> on its text (argument and --file, plain and
/// JSON), the same model's unwatermarked sample, and the one-line errors for bad input.
/// </summary>
public sealed class WatermarkCliTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string ckpt;

    public WatermarkCliTests()
    {
        var text = folder.File("verse.txt");
        File.WriteAllText(text, string.Join("\n", Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? "the quick brown fox jumps over the lazy dog" : "pack my box with five dozen liquor jugs")) + "\n");
        ckpt = folder.File("gpt");
        var train = Loom("train", "gpt", "--data", text, "--out", ckpt, "--steps", "5", "--batch-size", "8", "--context", "16",
            "--layers", "1", "--heads", "2", "--width", "16", "--hidden", "32", "--eval-every", "5", "--seed", "1");
        Assert.True(train.ExitCode == 0, train.ToString());
    }

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(folder.Path, TimeSpan.FromMinutes(4), args);

    private string Sample(params string[] extra)
    {
        var sample = Loom(["sample", ckpt, "--n", "1", "--max-tokens", "200", "--prompt", "the ", "--seed", "5", .. extra]);
        Assert.True(sample.ExitCode == 0, sample.ToString());
        return sample.Stdout.TrimEnd('\n');
    }

    [Fact]
    public void Sample_with_a_key_is_detected_and_plain_sample_is_not()
    {
        var marked = Sample("--watermark-key", "open sesame");
        var plain = Sample();
        Assert.NotEqual(plain, marked);

        var detect = Loom("watermark", "detect", "--key", "open sesame", "--tokenizer", ckpt, marked);
        Assert.True(detect.ExitCode == 0, detect.ToString());
        Assert.Contains(": watermarked at z > 4", detect.Stdout);

        File.WriteAllText(folder.File("marked.txt"), marked);
        var json = Loom("watermark", "detect", "--key", "open sesame", "--tokenizer", ckpt, "--file", folder.File("marked.txt"), "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var result = JsonNode.Parse(json.Stdout)!;
        Assert.True(result["ZScore"]!.GetValue<double>() > 4, json.Stdout);
        Assert.True(result["TokensScored"]!.GetValue<int>() >= 200, json.Stdout);
        Assert.True(result["IsWatermarked"]!.GetValue<bool>());
        Assert.True(result["PValue"]!.GetValue<double>() < 1e-4);

        var clean = JsonNode.Parse(Loom("watermark", "detect", "--key", "open sesame", "--tokenizer", ckpt, plain, "--json").Stdout)!;
        Assert.InRange(clean["ZScore"]!.GetValue<double>(), -3, 3);
        Assert.False(clean["IsWatermarked"]!.GetValue<bool>());

        var wrongKey = Loom("watermark", "detect", "--key", "open sesamE", "--tokenizer", ckpt, marked);
        Assert.Contains(": not watermarked at z > 4", wrongKey.Stdout);

        // Self-hash seeding, set on the command line on both sides.
        var selfHash = Sample("--watermark-key", "k2", "--watermark-seeding", "self-hash", "--watermark-gamma", "0.5");
        var selfHashDetect = Loom("watermark", "detect", "--key", "k2", "--seeding", "self-hash", "--gamma", "0.5",
            "--tokenizer", ckpt, selfHash, "--threshold", "3");
        Assert.Contains(": watermarked at z > 3", selfHashDetect.Stdout);
    }

    [Fact]
    public void Bad_input_gets_one_line()
    {
        var detect = new[] { "watermark", "detect", "--tokenizer", ckpt };
        foreach (var (args, code, needle) in new (string[], int, string)[]
        {
            ([.. detect, "some text"], 2, "--key"),
            ([.. detect, "--key", "k", "--gamma", "1.5", "some text"], 2, "--gamma"),
            ([.. detect, "--key", "k", "--seeding", "minhash", "some text"], 2, "--seeding"),
            ([.. detect, "--key", "k"], 2, "--file"),
            ([.. detect, "--key", "k", "some text", "--file", folder.File("x.txt")], 2, "--file"),
            ([.. detect, "--key", "k", "--file", folder.File("missing.txt")], 1, "missing.txt"),
            ([.. detect, "--key", "k", "t"], 1, "no token"),
            (["watermark", "detect", "--key", "k", "--tokenizer", folder.File("nowhere"), "text"], 1, "nowhere"),
            (["sample", ckpt, "--n", "1", "--watermark-gamma", "0.5"], 2, "--watermark-key"),
            (["sample", ckpt, "--n", "1", "--watermark-key", "k", "--watermark-gamma", "0"], 2, "--watermark-gamma"),
            (["sample", ckpt, "--n", "1", "--watermark-key", "k", "--watermark-delta", "-1"], 2, "--watermark-delta"),
        })
        {
            CliAssert.OneLineError(Loom(args), code, needle);
        }
    }

    public void Dispose() => folder.Dispose();
}
