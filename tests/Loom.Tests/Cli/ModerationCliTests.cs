using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>
/// The moderation stage of <c>loom sample</c> through the real binary: an n-gram model that has learned a text full of
/// personal data, reviewed in flag, redact and block modes; the neural path (JSON and streaming); bad flags.
/// </summary>
public sealed class ModerationCliTests : IDisposable
{
    private readonly TempFolder folder = new();

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(folder.Path, TimeSpan.FromMinutes(4), args);

    private string TrainNGram()
    {
        var text = folder.File("pii.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("write to bob@example.com or call +44 20 7946 0958 today.\n", 200)));
        var ckpt = folder.File("ngram");
        var train = Loom("train", "ngram", "--data", text, "--order", "8", "--out", ckpt);
        Assert.True(train.ExitCode == 0, train.ToString());
        return ckpt;
    }

    [Fact]
    public void FlagReportsOnStderrRedactRewritesAndBlockWithholds()
    {
        var ckpt = TrainNGram();
        var flagged = Loom("sample", ckpt, "--n", "2", "--length", "120", "--seed", "1");
        Assert.True(flagged.ExitCode == 0, flagged.ToString());
        Assert.Contains("bob@example.com", flagged.Stdout);
        Assert.Contains("loom: sample 2 flagged: pii.email 0.95", flagged.Stderr);

        var redacted = Loom("sample", ckpt, "--n", "2", "--length", "120", "--seed", "1", "--moderation", "redact");
        Assert.True(redacted.ExitCode == 0, redacted.ToString());
        Assert.DoesNotContain("@example.com", redacted.Stdout);
        Assert.Contains("[REDACTED pii.email]", redacted.Stdout);
        Assert.Contains("[REDACTED pii.phone]", redacted.Stdout);
        Assert.Contains("loom: sample 2 redacted:", redacted.Stderr);

        var output = folder.File("blocked.txt");
        var blocked = Loom("sample", ckpt, "--n", "1", "--length", "120", "--seed", "1", "--moderation-action", "pii.phone=block",
            "--out", output);
        Assert.True(blocked.ExitCode == 0, blocked.ToString());
        Assert.StartsWith("[BLOCKED ", File.ReadAllText(output));
        Assert.Contains("loom: sample 1 blocked: ", blocked.Stderr);
    }

    [Fact]
    public void MemorizationNamesTheTrainingFile()
    {
        var ckpt = TrainNGram();
        var result = Loom("sample", ckpt, "--n", "1", "--length", "120", "--seed", "1", "--no-pii",
            "--memorization-data", "pii.txt", "--memorization-words", "5");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"loom: sample 1 flagged: memorization [0-9.]+ at \d+\+\d+ \(\d+ words copied from pii\.txt line \d+\)",
            result.Stderr);
        Assert.DoesNotContain("pii.email", result.Stderr);
    }

    private string TrainGpt()
    {
        var data = folder.File("verse.txt");
        File.WriteAllText(data, string.Concat(Enumerable.Repeat("the cat sat on the mat\n", 60)));
        var ckpt = folder.File("gpt");
        var train = Loom("train", "gpt", "--data", data, "--out", ckpt, "--steps", "20", "--batch-size", "8", "--context", "16",
            "--layers", "1", "--heads", "2", "--width", "16", "--eval-every", "20", "--seed", "1");
        Assert.True(train.ExitCode == 0, train.ToString());
        return ckpt;
    }

    [Fact]
    public void ChatShowsABlockedReplyAsAPlaceholderAndReportsIt()
    {
        var ckpt = TrainGpt();
        var chat = CliRunner.RunWithInput(folder.Path, TimeSpan.FromMinutes(2), "the cat\n", "chat", ckpt, "--max-tokens", "20",
            "--block-pattern", "(?s).+", "--moderation", "block");
        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Contains("> [BLOCKED blocked.pattern]", chat.Stdout);
        Assert.Contains("loom: reply 1 blocked: blocked.pattern", chat.Stderr);
    }

    [Fact]
    public void NeuralSamplesCarryTheirReviewInJsonAndStreamOnlyAfterReview()
    {
        var ckpt = TrainGpt();

        var json = folder.File("s.json");
        var sample = Loom("sample", ckpt, "--n", "2", "--max-tokens", "30", "--block-pattern", "[a-z]", "--moderation", "redact",
            "--out", json);
        Assert.True(sample.ExitCode == 0, sample.ToString());
        foreach (var row in JsonNode.Parse(File.ReadAllText(json))!.AsArray())
        {
            Assert.Equal("redacted", row!["moderation"]!["verdict"]!.GetValue<string>());
            Assert.Contains("[REDACTED blocked.pattern]", row["text"]!.GetValue<string>());
            Assert.Empty(row["tokens"]!.AsArray());   // the tokens would show what was redacted
            Assert.NotEmpty(row["moderation"]!["flags"]!.AsArray());
        }

        var stream = Loom("sample", ckpt, "--n", "1", "--max-tokens", "30", "--stream", "--prompt", "the ", "--block-pattern", "[a-z]",
            "--moderation", "block");
        Assert.True(stream.ExitCode == 0, stream.ToString());
        Assert.Equal("the [BLOCKED blocked.pattern]", stream.Stdout.Trim());
        Assert.Contains("loom: sample blocked: blocked.pattern", stream.Stderr);
    }

    [Theory]
    [InlineData("--moderation", "nope", "--moderation: expected flag, redact or block (or off), got 'nope'")]
    [InlineData("--moderation-action", "pii.email", "--moderation-action: expected CATEGORY=ACTION")]
    [InlineData("--block-pattern", "(", "--block-pattern: '(' is not a valid regular expression")]
    [InlineData("--memorization-data", "missing.txt", "--memorization-data: missing.txt: no such file")]
    [InlineData("--moderation-min-score", "3", "--moderation-min-score: must be in [0, 1], got 3")]
    [InlineData("--block-list", "missing.txt", "--block-list: missing.txt: no such file")]
    public void BadModerationFlagsGetOneLine(string flag, string value, string message)
    {
        var ckpt = TrainNGram();
        CliAssert.OneLineError(Loom("sample", ckpt, flag, value), 2, message);
    }

    public void Dispose() => folder.Dispose();
}
