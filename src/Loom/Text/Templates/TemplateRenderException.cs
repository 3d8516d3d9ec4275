namespace Loom.Text.Templates;

/// <summary>A failure while evaluating a template; the evaluator adds the line and column of the failing node.</summary>
internal sealed class TemplateRenderException(string message) : Exception(message);
