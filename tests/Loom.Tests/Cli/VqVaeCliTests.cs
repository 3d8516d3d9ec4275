using System.Diagnostics;
using System.Text.Json.Nodes;
using Loom.IO;
using Loom.IO.Images;
using Loom.Tests.Data;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Cli;

/// <summary>
/// <c>loom train vqvae</c> through the real binary: both stages, pictures, <c>loom sample</c>, resume in either stage
/// (stage 1 after SIGTERM), a folder of PNGs, bad input. Children run with OMP_NUM_THREADS=1: on the busy 2-core test
/// machine libtorch's second thread made these tiny runs over 10× slower.
/// </summary>
public sealed class VqVaeCliTests : IDisposable
{
    private readonly string work = RepoPaths.NewTempDir("loom-vqvae-cli");
    private readonly string? threads = Environment.GetEnvironmentVariable("OMP_NUM_THREADS");

    private static readonly string[] Tiny = ["train", "vqvae", "--codes", "8", "--code-dim", "4", "--hidden", "8", "--res-blocks", "1",
        "--res-channels", "4", "--prior-channels", "8", "--prior-layers", "1", "--batch-size", "8", "--log-every", "1", "--seed", "1"];

    private static readonly string[] FashionTiny = [.. Tiny, "--data", "fashion-mnist", "--classes", "0,1", "--train-limit", "96"];

    public VqVaeCliTests() => Environment.SetEnvironmentVariable("OMP_NUM_THREADS", "1");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("OMP_NUM_THREADS", threads);
        try { Directory.Delete(work, true); } catch (IOException) { }
    }

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private string In(params string[] parts) => Path.Combine([work, .. parts]);

    /// <summary>The steps logged for each phase, in file order.</summary>
    private List<(string Phase, long Step)> Logged(string folder) =>
        File.ReadAllLines(In(folder, "log.jsonl")).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!)
            .Select(e => (e["phase"]!.GetValue<string>(), e["step"]!.GetValue<long>())).ToList();

    private static List<(string, long)> Steps(string phase, long count) =>
        Enumerable.Range(1, (int)count).Select(s => (phase, (long)s)).ToList();

    private string SavedStage(string folder) =>
        JsonNode.Parse(File.ReadAllText(In(folder, "trainer-state.json")))!["vqvae_stage"]!.GetValue<string>();

    [FashionMnistFact]
    public void Trains_both_stages_writes_its_pictures_and_samples_through_loom_sample()
    {
        var trained = Loom([.. FashionTiny, "--steps", "6", "--prior-steps", "30", "--checkpoint-every", "3", "--conditional-prior",
            "--out", "m"]);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        foreach (var file in new[]
        {
            "model.safetensors", "config.json", "card.json", "log.jsonl", "loss.png", "reconstructions.png", "samples.png"
        })
            Assert.True(File.Exists(In("m", file)), file);
        Assert.Equal([.. Steps("autoencoder", 6), .. Steps("prior", 30)], Logged("m"));
        Assert.Equal("prior", SavedStage("m"));
        var metrics = JsonNode.Parse(File.ReadAllText(In("m", "card.json")))!["metrics"]!;
        // Measured with these settings, seeds 1–3: 4–7 of the 8 codes used, perplexity 2.4–3.5, prior NLL 1.59–1.74 nats per
        // code (2.04 after 4 prior steps). exp(entropy) of the usage can exceed neither the codes used nor 8, and a prior
        // that learned anything beats the uniform guess, ln 8 = 2.08 nats.
        double used = metrics["codes_used"]!.GetValue<double>(), perplexity = metrics["codebook_perplexity"]!.GetValue<double>();
        Assert.Equal(Math.Round(used), used);
        Assert.InRange(used, 2, 8);
        Assert.InRange(perplexity, 1, used + 1e-4); // float32 rounding when every used code is equally frequent
        double priorNll = metrics["prior_nll_per_code"]!.GetValue<double>();
        Assert.True(priorNll < Math.Log(8) - 0.15, $"prior NLL {priorNll:F3} nats per code is no better than uniform over 8 codes");
        // Originals above reconstructions: 2 rows of 8 tiles of 28 pixels plus 2-pixel padding.
        using var grid = Png.Read(In("m", "reconstructions.png"));
        Assert.Equal(new long[] { 1, 2 * 30 + 2, 8 * 30 + 2 }, grid.shape);
        using (var samplesGrid = Png.Read(In("m", "samples.png")))
            Assert.Equal(2 * 30 + 2, samplesGrid.shape[1]); // one row of 8 per class

        var sampled = Loom("sample", "m", "--n", "16", "--seed", "3", "--out", "s.png");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
        Assert.Equal(0, Loom("sample", "m", "--n", "16", "--seed", "3", "--out", "again.png").ExitCode);
        Assert.Equal(0, Loom("sample", "m", "--n", "16", "--seed", "4", "--out", "other.png").ExitCode);
        Assert.Equal(File.ReadAllBytes(In("s.png")), File.ReadAllBytes(In("again.png")));
        Assert.NotEqual(File.ReadAllBytes(In("s.png")), File.ReadAllBytes(In("other.png")));
        using var samples = Png.Read(In("s.png"));
        Assert.Equal(new long[] { 1, 4 * 30 + 2, 4 * 30 + 2 }, samples.shape);
    }

    [FashionMnistFact]
    public void Resume_in_stage_two_trains_only_the_prior()
    {
        Assert.Equal(0, Loom([.. FashionTiny, "--steps", "4", "--prior-steps", "2", "--checkpoint-every", "0", "--out", "r"]).ExitCode);
        Dictionary<string, byte[]> Tensors(string prefix)
        {
            using var content = SafeTensorsFile.Load(In("r", "model.safetensors"));
            return content.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key, kv => kv.Value.contiguous().bytes.ToArray());
        }
        var autoencoder = Tensors("vqvae.");
        var prior = Tensors("prior.");
        var resumed = Loom([.. FashionTiny, "--steps", "4", "--prior-steps", "5", "--checkpoint-every", "0", "--out", "r", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal([.. Steps("autoencoder", 4), .. Steps("prior", 5)], Logged("r"));
        Assert.Equal(autoencoder, Tensors("vqvae."));       // weights and EMA codebook untouched
        Assert.NotEqual(prior["prior.output.weight"], Tensors("prior.")["prior.output.weight"]);
        Assert.Equal(5, JsonNode.Parse(File.ReadAllText(In("r", "trainer-state.json")))!["step"]!.GetValue<long>());
    }

    [FashionMnistFact]
    public async Task Sigterm_in_stage_one_saves_and_resume_finishes_both_stages()
    {
        var start = CliRunner.StartInfo(work,
            [.. FashionTiny, "--steps", "100000000", "--prior-steps", "2", "--checkpoint-every", "2", "--out", "long"]);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(In("long", "trainer-state.json")) && clock.Elapsed < TimeSpan.FromSeconds(90) && !process.HasExited)
            Thread.Sleep(100);
        if (process.HasExited)
            Assert.Fail("loom exited before it was signalled: " + await stderr);
        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!
            .WaitForExit(); // the test host starts children with SIGINT ignored
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("loom did not stop after SIGTERM");
        }
        Assert.True(process.ExitCode == 143, await stderr + await stdout);
        Assert.Contains("interrupted (cancelled) in stage autoencoder",
            JsonNode.Parse(File.ReadAllText(In("long", "card.json")))!["notes"]!.GetValue<string>());
        Assert.Equal("autoencoder", SavedStage("long"));
        Assert.False(File.Exists(In("long", "samples.png")));
        long saved = JsonNode.Parse(File.ReadAllText(In("long", "trainer-state.json")))!["step"]!.GetValue<long>();
        Assert.InRange(saved, 2, 99_999_999);

        var resumed =
            Loom([.. FashionTiny, "--steps", (saved + 3).ToString(System.Globalization.CultureInfo.InvariantCulture), "--prior-steps", "2",
            "--checkpoint-every", "2", "--out", "long", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal([.. Steps("autoencoder", saved + 3), .. Steps("prior", 2)], Logged("long"));
        Assert.Equal("prior", SavedStage("long"));
        Assert.True(File.Exists(In("long", "samples.png")));
    }

    [Fact]
    public void Trains_on_a_folder_of_png_images()
    {
        Directory.CreateDirectory(In("pngs"));
        using (var images = torch.rand([12, 1, 28, 28], generator: new torch.Generator(5)))
            for (int i = 0; i < 12; i++)
                Png.Write(In("pngs", $"{i:D2}.png"), images[i]);
        var trained = Loom([.. Tiny, "--data", "pngs", "--steps", "3", "--prior-steps", "2", "--checkpoint-every", "0", "--out", "p"]);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("12 training images of 28×28", trained.Stdout);
        Assert.True(File.Exists(In("p", "samples.png")));
        Assert.Equal(0, Loom("sample", "p", "--n", "2", "--out", "s.png").ExitCode);
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["--conditional-prior", "--out", "q"], "--conditional-prior"),
            (["--classes", "0", "--out", "q"], "--classes"),
            (["--out", "nothing-saved", "--resume"], "--resume"),
        })
        {
            CliAssert.OneLineError(Loom([.. Tiny, "--data", "pngs", "--steps", "3", .. args]), 2, expected);
        }
    }

    [Fact]
    public void Bad_input_gets_one_line_and_a_nonzero_exit()
    {
        Directory.CreateDirectory(In("empty"));
        foreach (var (args, code, expected) in new (string[], int, string)[]
        {
            ([.. Tiny, "--data", "fashion-mnist", "--codes", "0", "--out", "x"], 2, "--codes"),
            ([.. Tiny, "--data", "fashion-mnist", "--ema-decay", "1", "--out", "x"], 2, "--ema-decay"),
            ([.. Tiny, "--data", "fashion-mnist", "--classes", "3,12", "--out", "x"], 2, "--classes"),
            ([.. Tiny, "--data", "no-such-data", "--out", "x"], 1, "--data"),
            ([.. Tiny, "--data", "fashion-mnist", "--prior-steps", "0", "--out", "x"], 2, "--prior-steps"),
            ([.. Tiny, "--data", "empty", "--out", "x"], 1, "no .png files"),
        })
        {
            CliAssert.OneLineError(Loom(args), code, expected);
        }
    }
}
