using System.Globalization;
using System.Net;
using System.Text;
using Loom.IO.Images;

namespace Loom.IO.Reports;

/// <summary>
/// A self-contained HTML report: headings, metric tables, tables with thumbnails, text samples and PNG images embedded
/// as data URIs, so the single file can be mailed or archived. Written atomically.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder body = new();
    private readonly string title;

    public HtmlReport(string title) => this.title = title;

    /// <summary>The largest side of a thumbnail in a <see cref="ReportCell"/>, in CSS pixels.</summary>
    public const int ThumbnailSide = 128;

    /// <summary>A heading; <paramref name="id"/>, when given, is its anchor (a link to <c>#id</c> jumps to it).</summary>
    public HtmlReport Heading(string text, int level = 2, string? id = null)
    {
        level = Math.Clamp(level, 1, 4);
        var anchor = id is null ? "" : $" id=\"{Encode(id)}\"";
        body.Append(CultureInfo.InvariantCulture, $"<h{level}{anchor}>{Encode(text)}</h{level}>\n");
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

    /// <summary>
    /// A table whose cells may carry a detail line, a link, monospace text or a PNG thumbnail (scaled down to fit
    /// <see cref="ThumbnailSide"/> CSS pixels, stored at twice that for sharp high-density screens); the first row is
    /// the header.
    /// </summary>
    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<ReportCell>> rows)
    {
        body.Append("<table class=\"cells\">\n<tr>");
        foreach (var h in header) body.Append(CultureInfo.InvariantCulture, $"<th>{Encode(h)}</th>");
        body.Append("</tr>\n");
        foreach (var row in rows)
        {
            body.Append("<tr>");
            foreach (var cell in row) body.Append("<td>").Append(RenderCell(cell)).Append("</td>");
            body.Append("</tr>\n");
        }
        body.Append("</table>\n");
        return this;
    }

    /// <summary>Metric name → value rows, values formatted with 6 significant digits.</summary>
    public HtmlReport Metrics(IEnumerable<KeyValuePair<string, double>> metrics) =>
        Table(["metric", "value"],
            metrics.Select(m => (IReadOnlyList<string>)[m.Key, m.Value.ToString("G6", CultureInfo.InvariantCulture)]));

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
        var alt = Encode(caption);
        body.Append(CultureInfo.InvariantCulture,
            $"<figure><img alt=\"{alt}\" src=\"data:image/png;base64,{data}\"/><figcaption>{alt}</figcaption></figure>\n");
        return this;
    }

    /// <summary>
    /// Embeds a WAV file (data URI) as a player with a caption and, when given, its spectrogram PNG under the player in the
    /// same figure; a missing file is reported in the page, not thrown.
    /// </summary>
    public HtmlReport Audio(string wavPath, string caption, string? spectrogramPng = null)
    {
        if (!File.Exists(wavPath))
        {
            body.Append(CultureInfo.InvariantCulture, $"<p><em>missing audio {Encode(wavPath)}</em></p>\n");
            return this;
        }
        var data = Convert.ToBase64String(File.ReadAllBytes(wavPath));
        var picture = spectrogramPng is null ? ""
            : File.Exists(spectrogramPng)
                ? $"<br/><img alt=\"{Encode(caption)}, spectrogram\" src=\"data:image/png;base64,"
                    + $"{Convert.ToBase64String(File.ReadAllBytes(spectrogramPng))}\" class=\"spectrogram\"/>"
                : $"<br/><em>missing image {Encode(spectrogramPng)}</em>";
        body.Append(CultureInfo.InvariantCulture, $"<figure><audio controls src=\"data:audio/wav;base64,{data}\"></audio>{picture}"
            + $"<figcaption>{Encode(caption)}</figcaption></figure>\n");
        return this;
    }

    private static string RenderCell(ReportCell cell)
    {
        var html = new StringBuilder();
        if (cell.PngPath is not null)
        {
            var alt = Encode(cell.Text);
            if (PngThumbnail.TryEncode(cell.PngPath, 2 * ThumbnailSide, out var png))
                html.Append(CultureInfo.InvariantCulture,
                    $"<img class=\"thumb\" alt=\"{alt}\" title=\"{alt}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"/>");
            else
                html.Append(CultureInfo.InvariantCulture,
                    $"<em>{(File.Exists(cell.PngPath) ? "unreadable" : "missing")} image {Encode(cell.PngPath)}</em>");
        }
        else if (cell.Monospace)
            html.Append(CultureInfo.InvariantCulture, $"<pre class=\"cell\">{Encode(cell.Text)}</pre>");
        else if (cell.Href is not null)
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{Encode(cell.Href)}\">{Encode(cell.Text)}</a>");
        else
            html.Append(Encode(cell.Text));
        if (cell.Detail is not null)
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"detail\">{Encode(cell.Detail).ReplaceLineEndings("<br/>")}</div>");
        return html.ToString();
    }

    public string Render() =>
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>" +
        $"<title>{Encode(title)}</title>\n<style>{Style}</style></head>\n<body>\n<h1>{Encode(title)}</h1>\n{body}</body></html>\n";

    public void Save(string path) => AtomicFile.WriteAllText(path, Render());

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static readonly string Style =
        "body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222}" +
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}" +
        "th{background:#f3f3f3}pre{background:#f7f7f7;padding:.8em;white-space:pre-wrap}" +
        "figure{display:inline-block;margin:.5em}img{max-width:460px;border:1px solid #ddd}figcaption{font-size:.9em;color:#555}" +
        "table:not(.cells) td{overflow-wrap:anywhere}" +
        "table.cells td{vertical-align:top}table.cells .detail{font-size:.82em;color:#666;margin-top:.2em}" +
        $"img.thumb{{max-width:{ThumbnailSide}px;max-height:{ThumbnailSide}px;display:block}}" +
        "img.spectrogram{width:240px;height:128px;image-rendering:pixelated}" +
        "pre.cell{margin:0;padding:.3em;max-width:260px;font-size:.78em;white-space:pre-wrap}";
}
