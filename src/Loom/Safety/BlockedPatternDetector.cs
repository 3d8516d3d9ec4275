using System.Text.RegularExpressions;
using Loom.Core;

namespace Loom.Safety;

/// <summary>User regular expressions (.NET syntax); every match scores 1 and names the pattern that found it.</summary>
public sealed class BlockedPatternDetector : IContentDetector
{
    private readonly IReadOnlyList<Regex> patterns;

    public BlockedPatternDetector(IEnumerable<string> blockedPatterns)
    {
        var list = new List<Regex>();
        foreach (var pattern in blockedPatterns)
        {
            try
            {
                list.Add(new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
            }
            catch (ArgumentException e)
            {
                throw LoomUsageException.ForOption(nameof(ModerationOptions.BlockedPatterns),
                    $"'{pattern}' is not a valid regular expression ({e.Message.Split('\n')[0]})", e);
            }
        }
        if (list.Count == 0)
            throw LoomUsageException.ForOption(nameof(ModerationOptions.BlockedPatterns), "no patterns given");
        patterns = list;
    }

    public string Name => "patterns";

    public IReadOnlyList<ContentFlag> Detect(string text) =>
        patterns.SelectMany(p => p.Matches(text).Where(m => m.Length > 0)
            .Select(m => new ContentFlag(ContentCategories.BlockedPattern, 1.0, m.Index, m.Length, Name, p.ToString()))).ToList();
}
