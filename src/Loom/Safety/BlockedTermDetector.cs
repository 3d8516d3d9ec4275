using System.Text.RegularExpressions;
using Loom.Core;

namespace Loom.Safety;

/// <summary>
/// A user's block list: each term (a word or a phrase) is found case-insensitively as whole words, so <c>ass</c> does not
/// flag <c>class</c>. Whitespace inside a phrase matches any run of whitespace. Every hit scores 1.
/// </summary>
public sealed class BlockedTermDetector : IContentDetector
{
    private readonly Regex terms;

    public BlockedTermDetector(IEnumerable<string> blockedTerms)
    {
        var list = blockedTerms.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (list.Count == 0)
            throw LoomUsageException.ForOption(nameof(ModerationOptions.BlockedTerms), "the block list holds no terms");
        // Longest first, so a phrase wins over a word it starts with.
        var alternatives = list.OrderByDescending(t => t.Length)
            .Select(t => string.Join(@"\s+", t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape)));
        terms = new Regex(@"(?<!\w)(?:" + string.Join("|", alternatives) + @")(?!\w)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        Count = list.Count;
    }

    /// <summary>Distinct terms on the list.</summary>
    public int Count { get; }

    public string Name => "block-list";

    public IReadOnlyList<ContentFlag> Detect(string text) =>
        terms.Matches(text).Select(m => new ContentFlag(ContentCategories.BlockedTerm, 1.0, m.Index, m.Length, Name, m.Value)).ToList();
}
