using System.Text.RegularExpressions;
using Loom.IO.Reports;
using Loom.Tests.Support;
using SkiaSharp;

namespace Loom.Tests.IO;

public class HtmlReportTests
{
    [Fact]
    public void RendersEncodedTextTablesAndEmbeddedImages()
    {
        var dir = RepoPaths.NewTempDir();
        var png = Path.Combine(dir, "x.png");
        File.WriteAllBytes(png, [0x89, 0x50, 0x4E, 0x47]);
        var report = new HtmlReport("A <b> report")
            .Heading("Metrics")
            .Metrics([new("nll", 1.234567891)])
            .Preformatted("to be & not")
            .Image(png, "grid")
            .Image(Path.Combine(dir, "missing.png"), "nothing");
        var path = Path.Combine(dir, "report.html");
        report.Save(path);
        var html = File.ReadAllText(path);
        Assert.Contains("<title>A &lt;b&gt; report</title>", html);
        Assert.Contains("<td>nll</td><td>1.23457</td>", html);
        Assert.Contains("to be &amp; not", html);
        Assert.Contains("data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(png)), html);
        Assert.Contains("missing image", html);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void AudioIsAPlayerWithItsSpectrogramInOneFigure()
    {
        var dir = RepoPaths.NewTempDir();
        var wav = Path.Combine(dir, "clip.wav");
        var png = Path.Combine(dir, "clip.png");
        File.WriteAllBytes(wav, [0x52, 0x49, 0x46, 0x46]);
        File.WriteAllBytes(png, [0x89, 0x50, 0x4E, 0x47]);
        var path = Path.Combine(dir, "report.html");
        new HtmlReport("audio").Audio(wav, "a <clip>", png).Audio(wav, "alone").Audio(wav, "lost", Path.Combine(dir, "gone.png"))
            .Audio(Path.Combine(dir, "gone.wav"), "none").Save(path);
        var html = File.ReadAllText(path);
        var figures = Regex.Matches(html, "<figure>.*?</figure>").Select(m => m.Value).ToList();
        Assert.Equal(3, figures.Count);
        Assert.Contains("data:audio/wav;base64," + Convert.ToBase64String(File.ReadAllBytes(wav)), figures[0]);
        var picture = "data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(png));
        Assert.Contains("<img alt=\"a &lt;clip&gt;, spectrogram\" src=\"" + picture, figures[0]);
        Assert.DoesNotContain("<img", figures[1]);
        Assert.Contains("missing image", figures[2]);
        Assert.Contains("missing audio", html);
    }

    [Fact]
    public void CellTableScalesThumbnailsDownAndKeepsDetailsLinksAndText()
    {
        var dir = RepoPaths.NewTempDir();
        var wide = Path.Combine(dir, "wide.png");
        var small = Path.Combine(dir, "small.png");
        WriteSolidPng(wide, 600, 300);
        WriteSolidPng(small, 40, 20);
        File.WriteAllText(Path.Combine(dir, "broken.png"), "not a png");
        var html = new HtmlReport("cells")
            .Table(["a", "b"], [
                [new ReportCell("model <1>") { Href = "#m1", Detail = "line one\nline two" }, ReportCell.Thumbnail(wide, "wide")],
                ["2.260 bits/char", ReportCell.Thumbnail(small, "small")],
                [new ReportCell("ROMEO:\nWhat & why") { Monospace = true }, ReportCell.Thumbnail(Path.Combine(dir, "broken.png"), "x")],
                ["plain", ReportCell.Thumbnail(Path.Combine(dir, "none.png"), "y")],
            ])
            .Heading("Model one", id: "m1")
            .Render();
        Assert.Contains("<a href=\"#m1\">model &lt;1&gt;</a><div class=\"detail\">line one<br/>line two</div>", html);
        Assert.Contains("<h2 id=\"m1\">Model one</h2>", html);
        Assert.Contains("<pre class=\"cell\">ROMEO:\nWhat &amp; why</pre>", html);
        Assert.Contains("<td>2.260 bits/char</td>", html);
        Assert.Contains("unreadable image", html);
        Assert.Contains("missing image", html);
        var thumbnails = Regex.Matches(html, "<img class=\"thumb\"[^>]*src=\"data:image/png;base64,([^\"]+)\"")
            .Select(m => SKBitmap.Decode(Convert.FromBase64String(m.Groups[1].Value))).ToList();
        Assert.Equal(2, thumbnails.Count);
        Assert.Equal((2 * HtmlReport.ThumbnailSide, HtmlReport.ThumbnailSide), (thumbnails[0].Width, thumbnails[0].Height));
        Assert.Equal((40, 20), (thumbnails[1].Width, thumbnails[1].Height)); // small images are not enlarged
        Assert.Equal(File.ReadAllBytes(small), Convert.FromBase64String(Regex.Matches(html, "base64,([^\"]+)")[1].Groups[1].Value));
        foreach (var t in thumbnails) t.Dispose();
    }

    private static void WriteSolidPng(string path, int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(new SKColor(30, 90, 200));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
