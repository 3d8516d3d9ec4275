using System.Globalization;
using System.Net;
using System.Text;

namespace Loom.IO.Reports;

/// <summary>
/// A self-contained HTML report: headings, metric tables, text samples and PNG images embedded as data URIs,
/// so the single file can be mailed or archived. Written atomically.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder body = new();
    private readonly string title;

    public HtmlReport(string title) => this.title = title;

    public HtmlReport Heading(string text, int level = 2)
    {
        level = Math.Clamp(level, 1, 4);
        body.Append(CultureInfo.InvariantCulture, $"<h{level}>{Encode(text)}</h{level}>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        body.Append(CultureInfo.InvariantCulture, $"<p>{Encode(text)}</p>\n");
        return this;
    }

    /// <summary>A two-or-more column table; the first row is the header.</summary>
    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        body.Append("<table>\n<tr>");
        foreach (var h in header) body.Append(CultureInfo.InvariantCulture, $"<th>{Encode(h)}</th>");
        body.Append("</tr>\n");
        foreach (var row in rows)
        {
            body.Append("<tr>");
            foreach (var cell in row) body.Append(CultureInfo.InvariantCulture, $"<td>{Encode(cell)}</td>");
            body.Append("</tr>\n");
        }
        body.Append("</table>\n");
        return this;
    }

    /// <summary>Metric name → value rows, values formatted with 6 significant digits.</summary>
    public HtmlReport Metrics(IEnumerable<KeyValuePair<string, double>> metrics) =>
        Table(["metric", "value"], metrics.Select(m => (IReadOnlyList<string>)[m.Key, m.Value.ToString("G6", CultureInfo.InvariantCulture)]));

    /// <summary>A paragraph holding one link; <paramref name="href"/> is relative to the report (or absolute).</summary>
    public HtmlReport Link(string href, string text)
    {
        body.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{Encode(href)}\">{Encode(text)}</a></p>\n");
        return this;
    }

    public HtmlReport Preformatted(string text)
    {
        body.Append(CultureInfo.InvariantCulture, $"<pre>{Encode(text)}</pre>\n");
        return this;
    }

    /// <summary>Embeds a PNG file (data URI) with a caption; a missing file is reported in the page, not thrown.</summary>
    public HtmlReport Image(string pngPath, string caption)
    {
        if (!File.Exists(pngPath))
        {
            body.Append(CultureInfo.InvariantCulture, $"<p><em>missing image {Encode(pngPath)}</em></p>\n");
            return this;
        }
        var data = Convert.ToBase64String(File.ReadAllBytes(pngPath));
        body.Append(CultureInfo.InvariantCulture,
            $"<figure><img alt=\"{Encode(caption)}\" src=\"data:image/png;base64,{data}\"/><figcaption>{Encode(caption)}</figcaption></figure>\n");
        return this;
    }

    public string Render() =>
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>" +
        $"<title>{Encode(title)}</title>\n<style>{Style}</style></head>\n<body>\n<h1>{Encode(title)}</h1>\n{body}</body></html>\n";

    public void Save(string path) => AtomicFile.WriteAllText(path, Render());

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222}" +
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}" +
        "th{background:#f3f3f3}pre{background:#f7f7f7;padding:.8em;white-space:pre-wrap}" +
        "figure{display:inline-block;margin:.5em}img{max-width:460px;border:1px solid #ddd}figcaption{font-size:.9em;color:#555}";
}
