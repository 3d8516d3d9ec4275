using System.Text.RegularExpressions;
using Loom.Cli.Commands;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>The peers and bars the quickstart summary cites are quoted from the documents they name, not made up.</summary>
public class QuickstartPeersTests
{
    [Fact]
    public void EveryQuotedNumberIsWrittenInTheCitedDocument()
    {
        Assert.NotEmpty(QuickstartPeers.All);
        foreach (var peer in QuickstartPeers.All)
        {
            var file = peer.Source.Split(' ')[0];
            var document = File.ReadAllText(Path.Combine(RepoPaths.Root, file));
            var heading = "\n## " + Regex.Match(peer.Source, @"\((.+)\)").Groups[1].Value;
            int start = document.IndexOf(heading, StringComparison.OrdinalIgnoreCase);
            Assert.True(start >= 0, $"{peer.Model}: {file} has no section '{heading.Trim()}'");
            int end = document.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
            var section = document[start..(end < 0 ? document.Length : end)];
            foreach (Match number in Regex.Matches($"{peer.Quote} {peer.More}", @"\d+(\.\d+)?"))
                Assert.True(section.Contains(number.Value, StringComparison.Ordinal),
                    $"{peer.Model}: {number.Value} is not in {file}, {heading.Trim()}");
        }
    }

    [Fact]
    public void ACitationAppliesOnlyToTheDocumentedConfiguration()
    {
        var gpt = QuickstartPeers.All.Single(p => p.Model == "gpt");
        string[] documented =
            ["train", "gpt", "--data", "tinyshakespeare", "--preset", "shakespeare-char-cpu", "--steps", "2000", "--seed", "0"];
        Assert.True(gpt.AppliesTo(documented));
        Assert.False(gpt.AppliesTo(documented.Select(a => a == "2000" ? "200" : a).ToList()));
        Assert.False(gpt.AppliesTo(documented.Where(a => a != "--steps" && a != "2000").ToList()));
    }
}
