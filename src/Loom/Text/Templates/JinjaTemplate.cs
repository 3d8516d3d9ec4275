using System.Text.Json.Nodes;

namespace Loom.Text.Templates;

/// <summary>
/// A parsed Jinja template (the subset HF chat templates use), rendered as <c>@huggingface/jinja</c> renders it:
/// trim_blocks and lstrip_blocks on, one trailing newline of the template dropped. Parse errors and render errors
/// are one-line <see cref="Loom.Core.LoomDataException"/>s naming the line and column; <c>raise_exception</c> in the
/// template throws <see cref="TemplateRaisedException"/>.
/// </summary>
public sealed class JinjaTemplate
{
    private readonly TemplateSource source;
    private readonly List<TemplateNode> body;

    private JinjaTemplate(TemplateSource source, List<TemplateNode> body)
    {
        this.source = source;
        this.body = body;
    }

    /// <summary>Parses <paramref name="template"/>; throws a LoomDataException on a syntax error.</summary>
    public static JinjaTemplate Parse(string template)
    {
        var source = TemplateSource.Prepare(template);
        return new JinjaTemplate(source, TemplateParser.Parse(source));
    }

    /// <summary>Renders with the variables of <paramref name="context"/> (a JSON object's properties).</summary>
    public string Render(JsonObject context) =>
        Render(context.ToDictionary(p => p.Key, p => TemplateJson.FromJson(p.Value)));

    /// <summary>Renders with <paramref name="variables"/> (they may shadow the globals <c>true</c>, <c>range</c>, ...).</summary>
    public string Render(IReadOnlyDictionary<string, TemplateValue> variables)
    {
        var scope = new TemplateScope(null);
        TemplateGlobals.AddTo(scope);
        foreach (var (name, value) in variables) scope.Set(name, value);
        return new TemplateEvaluator(source).Render(body, scope);
    }
}
