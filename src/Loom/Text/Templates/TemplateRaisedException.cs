using Loom.Core;

namespace Loom.Text.Templates;

/// <summary>
/// A template called <c>raise_exception(message)</c>, e.g. a chat template rejecting a role order it does not accept;
/// <see cref="Exception.Message"/> is the template's message, unchanged.
/// </summary>
public sealed class TemplateRaisedException(string message) : LoomException(message);
