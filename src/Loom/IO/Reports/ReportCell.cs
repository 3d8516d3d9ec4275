namespace Loom.IO.Reports;

/// <summary>
/// One cell of <see cref="HtmlReport.Table(IReadOnlyList{string}, IEnumerable{IReadOnlyList{ReportCell}})"/>: a PNG
/// thumbnail when <see cref="PngPath"/> is set (<see cref="Text"/> is then its alt text), otherwise monospace text when
/// <see cref="Monospace"/> is set, otherwise text (a link when <see cref="Href"/> is set); any of them with an optional
/// smaller <see cref="Detail"/> below.
/// </summary>
public sealed record ReportCell(string Text)
{
    /// <summary>A second, smaller line under <see cref="Text"/>; line breaks in it are kept.</summary>
    public string? Detail { get; init; }

    /// <summary>Makes <see cref="Text"/> a link (relative to the report, an anchor such as <c>#gmm</c>, or absolute).</summary>
    public string? Href { get; init; }

    /// <summary>Shows <see cref="Text"/> as preformatted monospace text (line breaks kept), e.g. a text sample.</summary>
    public bool Monospace { get; init; }

    /// <summary>A PNG shown as a thumbnail (scaled down to fit the table), embedded as a data URI.</summary>
    public string? PngPath { get; init; }

    public static ReportCell Thumbnail(string pngPath, string caption) => new(caption) { PngPath = pngPath };

    public static implicit operator ReportCell(string text) => new(text);
}
