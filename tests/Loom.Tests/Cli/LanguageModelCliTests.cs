using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>
/// Neural language models through the real binary on a small text: train (every kind), sample with decoding options,
/// stream, token log-probs, score, chat from standard input, resume, and the one-line errors bad input gets.
/// </summary>
public sealed class LanguageModelCliTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string text;

    public LanguageModelCliTests()
    {
        text = folder.File("verse.txt");
        var verse = string.Join("\n", Enumerable.Range(0, 60)
            .Select(i => i % 3 == 0 ? "the cat sat on the mat" : i % 3 == 1 ? "a dog ran in the fog" : "my hat is on the cat"));
        File.WriteAllText(text, verse + "\n");
    }

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(folder.Path, TimeSpan.FromMinutes(4), args);

    private static readonly string[] Tiny = ["--steps", "60", "--batch-size", "8", "--context", "16", "--layers", "1", "--heads", "2",
        "--width", "16", "--hidden", "32", "--embedding", "8", "--warmup", "5", "--lr", "0.01", "--eval-every", "30", "--seed", "1"];

    [Theory]
    [InlineData("gpt", "char")]
    [InlineData("llama", "bpe:300")]
    [InlineData("gru", "char")]
    [InlineData("lstm", "char")]
    public void Trains_samples_and_scores_each_kind(string kind, string tokenizer)
    {
        var ckpt = folder.File(kind);
        var train = Loom(["train", kind, "--data", text, "--tokenizer", tokenizer, "--out", ckpt, .. Tiny]);
        Assert.True(train.ExitCode == 0, train.ToString());
        foreach (var file in new[]
        {
            "config.json", "model.safetensors", "card.json", "tokenizer.json", "generation.json", "log.jsonl", "loss.png", "sample.txt"
        })
            Assert.True(File.Exists(Path.Combine(ckpt, file)), $"{kind}: {file} missing\n{train}");
        var card = JsonNode.Parse(File.ReadAllText(Path.Combine(ckpt, "card.json")))!;
        double valLoss = card["metrics"]!["val_loss"]!.GetValue<double>();
        int vocab =
            JsonNode.Parse(File.ReadAllText(Path.Combine(ckpt, "config.json")))!["config"]!["network"]!["vocab_size"]!.GetValue<int>();
        Assert.True(valLoss < Math.Log(vocab) - 0.5, $"{kind}: val loss {valLoss} is no better than uniform over {vocab} tokens");

        var sample = Loom("sample", ckpt, "--n", "2", "--max-tokens", "20", "--prompt", "the ", "--top-k", "5", "--seed", "3");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.StartsWith("the ", sample.Stdout);
        Assert.Equal(sample.Stdout,
            Loom("sample", ckpt, "--n", "2", "--max-tokens", "20", "--prompt", "the ", "--top-k", "5", "--seed", "3").Stdout);

        var score = Loom("score", ckpt, "--data", text);
        Assert.True(score.ExitCode == 0, score.ToString());
        Assert.Contains("perplexity", score.Stdout);
        Assert.Contains("bits_per_char", score.Stdout);
    }

    [Fact]
    public void Streams_reports_logprobs_and_chats()
    {
        var ckpt = folder.File("gpt");
        Assert.Equal(0, Loom(["train", "gpt", "--data", text, "--out", ckpt, .. Tiny]).ExitCode);

        var greedy = Loom("sample", ckpt, "--n", "1", "--max-tokens", "15", "--prompt", "the", "--greedy");
        var streamed = Loom("sample", ckpt, "--n", "1", "--max-tokens", "15", "--prompt", "the", "--greedy", "--stream");
        Assert.True(streamed.ExitCode == 0, streamed.ToString());
        Assert.Equal(greedy.Stdout.TrimEnd(), streamed.Stdout.TrimEnd());

        var logprobs = Loom("sample", ckpt, "--n", "1", "--max-tokens", "5", "--logprobs", "3", "--seed", "2");
        Assert.True(logprobs.ExitCode == 0, logprobs.ToString());
        var tokens = JsonNode.Parse(logprobs.Stdout)![0]!["tokens"]!.AsArray();
        Assert.Equal(5, tokens.Count);
        Assert.All(tokens, t => Assert.Equal(3, t!["top"]!.AsArray().Count));

        var beams = Loom("sample", ckpt, "--n", "1", "--max-tokens", "8", "--beams", "3", "--prompt", "a ");
        Assert.True(beams.ExitCode == 0, beams.ToString());

        var chat = CliRunner.RunWithInput(folder.Path, TimeSpan.FromMinutes(2), "the cat\n/history\n/reset\na dog\n", "chat", ckpt,
            "--max-tokens", "12", "--seed", "1");
        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Contains("the cat", chat.Stdout);
        Assert.Contains("(history cleared)", chat.Stdout);

    }

    /// <summary>
    /// SIGTERM a run of a million steps once its log shows it training, so it cannot have finished first; it saves and
    /// exits 0 (the trainer stops after the step, saves, and the card notes the interruption). With --min-lr equal to
    /// --lr the schedule does not depend on --steps, so resuming to a few steps past the saved one must give the weights
    /// of an uninterrupted run of that length.
    /// </summary>
    [Fact]
    public async Task A_terminated_run_resumes_to_the_same_weights()
    {
        Assert.Equal("--steps", Tiny[0]);
        string[] run = ["train", "gpt", "--data", text, .. Tiny[2..], "--min-lr", "0.01"]; // Tiny without its --steps; constant lr 0.01
        var dir = folder.File("resumed");
        var log = Path.Combine(dir, "log.jsonl");
        var start = CliRunner.StartInfo(folder.Path, [.. run, "--steps", "1000000", "--out", dir]);
        using (var process = System.Diagnostics.Process.Start(start)!)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!LogsATrainingStep(log) && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(120))
                Thread.Sleep(20);
            if (process.HasExited || !LogsATrainingStep(log))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"loom logged no training step before it was to be signalled:\n{await stdout}\n{await stderr}");
            }
            System.Diagnostics.Process.Start("kill",
                ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("loom did not stop after SIGTERM");
            }
            Assert.True(process.ExitCode == 143, $"SIGTERM: exit 143 expected, got {process.ExitCode}\n{await stderr}");
        }
        long stoppedAt = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "trainer-state.json")))!["step"]!.GetValue<long>();
        long logged = File.ReadLines(log).Select(l => JsonNode.Parse(l)!["step"]!.GetValue<long>()).Max();
        Assert.InRange(stoppedAt, logged, 999_999);
        Assert.True(File.Exists(Path.Combine(dir, "model.safetensors")));
        Assert.Contains($"interrupted (cancelled) at step {stoppedAt}", File.ReadAllText(Path.Combine(dir, "card.json")));

        var steps = (stoppedAt + 20).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var straight = Loom([.. run, "--steps", steps, "--out", folder.File("straight")]);
        Assert.True(straight.ExitCode == 0, straight.ToString());
        var resumed = Loom([.. run, "--steps", steps, "--out", dir, "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder.File("straight"), "model.safetensors")),
            File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
    }

    /// <summary>Whether log.jsonl holds a complete line for a finished step (the trainer appends one every few steps).</summary>
    private static bool LogsATrainingStep(string log)
    {
        if (!File.Exists(log))
            return false;
        using var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        var content = reader.ReadToEnd();
        return content.Contains('\n', StringComparison.Ordinal) && content.Contains("\"step\"", StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_gets_one_line()
    {
        var ckpt = folder.File("gpt");
        Assert.Equal(0, Loom(["train", "gpt", "--data", text, "--out", ckpt, .. Tiny.Select(a => a == "60" ? "5" : a)]).ExitCode);
        foreach (var (args, code, needle) in new (string[], int, string)[]
        {
            (["train", "gpt", "--data", text, "--out", folder.File("x"), "--tokenizer", "wordpiece"], 2, "--tokenizer"),
            (["train", "gpt", "--data", text, "--out", folder.File("x"), "--kv-heads", "1", "--heads", "2", "--width", "16"], 2,
                "--kv-heads"),
            (["train", "gpt", "--data", text, "--out", folder.File("x"), "--heads", "3", "--width", "16"], 2, "--heads"),
            (["train", "gpt", "--data", text, "--out", folder.File("x"), "--precision", "float16"], 2, "--precision"),
            (["train", "lstm", "--data", text, "--out", folder.File("x"), "--precision", "bfloat16"], 2, "--precision"),
            (["train", "gpt", "--data", folder.File("missing.txt"), "--out", folder.File("x")], 1, "missing.txt"),
            (["sample", ckpt, "--prompt", "Ω", "--n", "1"], 1, "Ω"),
            (["sample", ckpt, "--top-p", "1.5"], 2, "top_p"),
            (["sample", ckpt, "--n", "2", "--stream"], 2, "--stream"),
        })
        {
            CliAssert.OneLineError(Loom(args), code, needle);
        }
    }

    public void Dispose() => folder.Dispose();
}
