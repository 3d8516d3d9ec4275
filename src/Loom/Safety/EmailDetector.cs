using System.Text.RegularExpressions;

namespace Loom.Safety;

/// <summary>E-mail addresses: a local part, <c>@</c>, and a domain with at least one dot and a letter-only top-level label.</summary>
public sealed partial class EmailDetector : IContentDetector
{
    public string Name => "email";

    public IReadOnlyList<ContentFlag> Detect(string text) =>
        Address().Matches(text).Select(m => new ContentFlag(ContentCategories.Email, 0.95, m.Index, m.Length, Name)).ToList();

    [GeneratedRegex(@"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
        + @"[A-Za-z]{2,24}\b")]
    private static partial Regex Address();
}
