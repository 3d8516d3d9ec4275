using Loom.IO.Reports;
using Loom.Tests.Support;

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
}
