using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Loom.Cli.Commands;
using Loom.Tests.Support;
using SkiaSharp;

namespace Loom.Tests.Cli;

/// <summary>
/// <c>loom quickstart</c> end to end: its checkpoints and samples, the summary table that opens report.html, and the
/// report as a real browser (headless chromium) draws it.
/// </summary>
public class QuickstartReportTests(QuickstartRun run) : IClassFixture<QuickstartRun>
{
    /// <summary>The models this quickstart trains (Fashion-MNIST is installed for the tests), in the summary's order.</summary>
    private static readonly string[] Models =
        ["gmm", "ngram", "gpt", "diffusion-2d", "flow-2d", "rbm", "diffusion-fmnist", "cvae-fmnist", "mcmc"];

    private string Html => File.ReadAllText(run.ReportPath);

    [Fact]
    public void QuickstartWritesCheckpointsSamplesAndAReport()
    {
        Assert.True(run.Result.ExitCode == 0, run.Result.ToString());
        var html = Html;
        Assert.Contains("val_bits_per_token", html);
        Assert.Contains("data:image/png;base64,", html);
        Assert.StartsWith("ROMEO:", File.ReadAllText(Path.Combine(run.Out, "ngram", "romeo.txt")));
        Assert.StartsWith("ROMEO:", File.ReadAllText(Path.Combine(run.Out, "gpt", "romeo.txt")));
        Assert.Contains("gpt: GPT-2-style decoder-only transformer", html);
        Assert.Contains("distinct_2", html);
        Assert.Contains("vae: Variational autoencoder", html);
        Assert.True(File.Exists(Path.Combine(run.Out, "cvae-fmnist", "interpolation.png")));
        Assert.Contains("heldout_true_nll", html);   // the flow's section shows the true density's NLL beside its own
        Assert.True(File.Exists(Path.Combine(run.Out, "flow-2d", "samples.png")));
        Assert.True(File.Exists(Path.Combine(run.Out, "rbm", "samples.png")));
        Assert.Contains("valid_sample_fraction", html); // the RBM's section shows its checks against bars and stripes
        Assert.Contains("optimum ln 30 3.401", html);     // and its summary row the optimum beside its exact NLL
    }

    [Fact]
    public void TheFirstTableSummarizesEveryTrainedModel()
    {
        Assert.True(run.Result.ExitCode == 0, run.Result.ToString());
        var html = Html;
        var table = Regex.Match(html, "<table[^>]*>(.*?)</table>", RegexOptions.Singleline);
        Assert.Contains("class=\"cells\"", table.Value);
        Assert.True(html.IndexOf("<h2", StringComparison.Ordinal) > table.Index, "the summary comes before the per-family sections");
        var rows = Regex.Matches(table.Groups[1].Value, "<tr>(.*?)</tr>", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(QuickstartSummary.Header, Regex.Matches(rows[0], "<th>(.*?)</th>").Select(m => m.Groups[1].Value));
        var cells = rows.Skip(1).Select(Cells).ToList();
        Assert.Equal(Models.Select(m => "#" + m), cells.Select(c => Regex.Match(c[0], "href=\"([^\"]+)\"").Groups[1].Value));
        foreach (var model in Models)
            Assert.Contains($" id=\"{model}\">", html); // each family cell links to its section
        foreach (var (row, model) in cells.Zip(Models))
        {
            Assert.Equal(5, row.Count);
            Assert.Matches(@"^-?\d+(\.\d+)?( [a-z/ ]+)?<div class=""detail"">.+</div>$", row[1]);
            Assert.Matches(@"^(\d+\.\d\u00a0s|\d+\u00a0min \d+\u00a0s)<div class=""detail"">", row[3]);
            bool picture = row[4].StartsWith("<img class=\"thumb\"", StringComparison.Ordinal);
            bool text = Regex.IsMatch(row[4], "^<pre class=\"cell\">.+</pre>", RegexOptions.Singleline);
            Assert.True(picture || text, $"{model}: thumbnail cell {row[4][..Math.Min(200, row[4].Length)]}");
        }
        var ngramCard = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Out, "ngram", "card.json")))!;
        var ngramBits = ngramCard["metrics"]!["val_bits_per_token"]!.GetValue<double>();
        Assert.StartsWith($"{QuickstartSummary.FourSignificantDigits(ngramBits)} bits/char", cells[1][1]);
        Assert.StartsWith("docs/benchmarks.md (n-gram): the same command gives 2.260 bits/char", cells[1][2]);
        Assert.StartsWith("—", cells[2][2]); // 40 steps: nanoGPT's 1.88 is for 2000
        Assert.Contains("--steps 2000; this run: --steps 40", cells[2][2]);
        Assert.Contains("train", cells[0][3]);
        Assert.Contains("eval", cells[0][3]);
    }

    /// <summary>The cells of one table row, entities decoded (tags kept).</summary>
    private static List<string> Cells(string row) =>
        Regex.Matches(row, "<td>(.*?)</td>", RegexOptions.Singleline).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    [Theory]
    [InlineData(2.26, "2.260")]
    [InlineData(697.31, "697.3")]
    [InlineData(-0.0010443, "-0.001044")]
    [InlineData(30.0, "30")]          // a count (patterns reached) stays a whole number
    [InlineData(0.0, "0")]
    public void MetricsShowFourSignificantDigitsAndCountsStayWhole(double value, string shown) =>
        Assert.Equal(shown, QuickstartSummary.FourSignificantDigits(value));

    [Fact]
    public void ChromiumDrawsTheSummaryWithTextAndThumbnails()
    {
        Assert.True(run.Result.ExitCode == 0, run.Result.ToString());
        var png = Path.Combine(run.Work, "report.png");
        HeadlessChromium.Screenshot(run.ReportPath, png, 1280, 1000, TimeSpan.FromMinutes(2));
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((1280, 1000), (bitmap.Width, bitmap.Height));
        long dark = 0, orange = 0, n = 0;
        double sum = 0, sumSquares = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                double luma = 0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue;
                sum += luma;
                sumSquares += luma * luma;
                n++;
                if (luma < 80) dark++;
                if (c.Red - c.Blue > 80) orange++; // text is grey or black and links blue: only the plots draw orange
            }
        double mean = sum / n, std = Math.Sqrt(sumSquares / n - mean * mean);
        Assert.True(mean > 150, $"mostly a light page, mean luminance {mean:F1}");
        Assert.True(std > 20, $"not blank: luminance standard deviation {std:F1}");
        Assert.True(dark > n / 200, $"dark text: {dark} of {n} pixels");
        Assert.True(orange > 40, $"the 8-gaussians scatter-plot thumbnails (model samples in orange): {orange} orange pixels");
    }
}
