using System.Text.RegularExpressions;

namespace Loom.Text.Templates;

/// <summary>
/// A template's text after the rewriting HF chat templates get before lexing (as <c>@huggingface/jinja</c> does it):
/// one trailing newline dropped, <c>lstrip_blocks</c> (spaces and tabs before a <c>{%</c> or <c>{#</c> at a line start
/// removed), <c>trim_blocks</c> (the newline after <c>%}</c>, <c>#}</c> or <c>-}</c> removed) and the
/// <c>{% generation %}</c> markers dropped. Every character remembers where it was in the original text, so errors can
/// name the original line and column.
/// </summary>
internal sealed partial class TemplateSource
{
    private readonly string original;
    private readonly int[] origins;

    private TemplateSource(string original, string text, int[] origins)
    {
        this.original = original;
        Text = text;
        this.origins = origins;
    }

    /// <summary>The rewritten text the lexer reads.</summary>
    public string Text { get; }

    /// <summary>Rewrites <paramref name="template"/> the way chat templates are rendered (trim and lstrip blocks on).</summary>
    public static TemplateSource Prepare(string template)
    {
        var source = new TemplateSource(template, template, Enumerable.Range(0, template.Length).ToArray());
        if (template.EndsWith('\n')) source = source.Remove([(template.Length - 1, 1)]);
        source = source.Remove(LineStartIndent().Matches(source.Text).Select(m => (m.Index, m.Length)));
        source = source.Remove(NewlineAfterBlock().Matches(source.Text).Select(m => (m.Index, m.Length)));
        return source.Remove(GenerationMarkers(source.Text));
    }

    /// <summary>"line L, column C" of a position in <see cref="Text"/>, counted in the original template.</summary>
    public string Describe(int position)
    {
        int at = position < origins.Length ? origins[position] : original.Length;
        int line = 1, lineStart = 0;
        for (int i = 0; i < at; i++)
            if (original[i] == '\n') { line++; lineStart = i + 1; }
        return $"line {line}, column {at - lineStart + 1}";
    }

    private TemplateSource Remove(IEnumerable<(int Start, int Length)> ranges)
    {
        var removed = new bool[Text.Length];
        foreach (var (start, length) in ranges)
            for (int i = start; i < start + length; i++) removed[i] = true;
        var text = new System.Text.StringBuilder(Text.Length);
        var kept = new List<int>(Text.Length);
        for (int i = 0; i < Text.Length; i++)
        {
            if (removed[i]) continue;
            text.Append(Text[i]);
            kept.Add(origins[i]);
        }
        return new TemplateSource(original, text.ToString(), kept.ToArray());
    }

    private static List<(int, int)> GenerationMarkers(string text)
    {
        var ranges = new List<(int, int)>();
        int lastEnd = 0;
        foreach (Match m in GenerationMarker().Matches(text))
        {
            int start = m.Index;
            if (m.Groups[1].Length > 0)
                while (start > lastEnd && JsText.IsWhitespace(text[start - 1])) start--;
            int end = m.Index + m.Length - (m.Groups[2].Length > 0 ? 0 : m.Groups[3].Length);
            ranges.Add((start, end - start));
            lastEnd = m.Index + m.Length;
        }
        return ranges;
    }

    [GeneratedRegex(@"(?<=^|[\n\r\u2028\u2029])[ \t]*(?=\{[#%-])")]
    private static partial Regex LineStartIndent();

    [GeneratedRegex(@"(?<=[#%-]\})\n")]
    private static partial Regex NewlineAfterBlock();

    [GeneratedRegex(@"\{%(-?)\s*(?:end)?generation\s*(-?)%\}(\s*)", RegexOptions.Singleline)]
    private static partial Regex GenerationMarker();
}
