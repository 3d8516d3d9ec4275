using System.Diagnostics;
using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>The gradient trainer through the real binary: resume is bit-for-bit, Ctrl-C saves a resumable checkpoint.</summary>
public class TrainerCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-trainer-cli");

    private static readonly string[] Common = ["train", "gmm", "--data", "moons", "--points", "1000", "--method", "sgd", "--schedule",
        "constant", "--warmup", "0", "--seed", "2", "--components", "4"];

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, [.. Common, .. args]);

    [Fact]
    public void ResumedRunEqualsAnUninterruptedRun()
    {
        Assert.Equal(0, Loom("--steps", "300", "--out", "straight").ExitCode);
        Assert.Equal(0, Loom("--steps", "120", "--out", "resumed").ExitCode);
        var resumed = Loom("--steps", "300", "--out", "resumed", "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "straight", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(work, "resumed", "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(work, "resumed", "loss.png")));
        var steps = File.ReadAllLines(Path.Combine(work, "resumed", "log.jsonl"))
            .Select(l => JsonNode.Parse(l)!["step"]!.GetValue<long>()).ToList();
        Assert.Equal(steps.Order().ToList(), steps); // one uninterrupted-looking log
        Assert.Equal(300, steps[^1]);
    }

    [Fact]
    public void ResumeRefusesOtherDataOrAMissingCheckpoint()
    {
        CliAssert.OneLineError(Loom("--steps", "10", "--out", "none", "--resume"), 2, "--resume");
        Assert.Equal(0, Loom("--steps", "10", "--out", "a").ExitCode);
        var otherData = CliRunner.Run(work, [.. Common.Select(a => a == "1000" ? "1200" : a), "--steps", "20", "--out", "a", "--resume"]);
        CliAssert.OneLineError(otherData, 1, "the data differs");
    }

    [Fact]
    public async Task TerminationSignalSavesAResumableCheckpoint()
    {
        var start = CliRunner.StartInfo(work, [.. Common, "--steps", "100000000", "--out", "long", "--checkpoint-every", "100000000"]);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var log = Path.Combine(work, "long", "log.jsonl");
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(log) && new FileInfo(log).Length > 0) && clock.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            Thread.Sleep(100);
        if (process.HasExited)
            Assert.Fail("loom exited before it was signalled: " + await stderr);
        Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit(); // the test host starts children with SIGINT ignored
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("loom did not stop after SIGTERM");
        }
        Assert.True(process.ExitCode == 143, await stderr + await stdout);
        var card = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "long", "card.json")))!;
        Assert.Contains("interrupted (cancelled)", card["notes"]!.GetValue<string>());
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "long", "trainer-state.json")))!;
        Assert.InRange(state["step"]!.GetValue<long>(), 1, 99_999_999);
        Assert.Empty(Directory.GetFiles(Path.Combine(work, "long"), "*.tmp"));
    }
}
