using Loom.Core;
using Loom.Evaluation.Audit;

namespace Loom.Tests.Evaluation.Audit;

public class RepresentationTests
{
    [Fact]
    public void ClassSharesRatiosAndChiSquareComeFromTheCounts()
    {
        long[] training = [0, 0, 1, 1];            // 50% / 50%
        long[] samples = [0, 0, 0, 1];             // 75% / 25%
        var result = ClassRepresentation.Compare(samples, training, ["a", "b"]);
        Assert.Equal([0.5, 0.5], result.Classes.Select(c => c.TrainingShare));
        Assert.Equal([0.75, 0.25], result.Classes.Select(c => c.SampleShare));
        Assert.Equal(1.5, result.MaxRatio, 12);
        Assert.Equal(0.5, result.MinRatio, 12);
        Assert.Equal(1.0, result.ChiSquare, 12);   // (3−2)²/2 + (1−2)²/2
        Assert.Equal(1, result.DegreesOfFreedom);
        Assert.Throws<LoomDataException>(() => ClassRepresentation.Compare([2], training, ["a", "b"]));
    }

    [Fact]
    public void TextRatesAndCooccurrenceAreCountedPerWindow()
    {
        var lists = new AttributeWordLists(
            new Dictionary<string, IReadOnlyList<string>> { ["f"] = ["she"], ["m"] = ["he"] },
            new Dictionary<string, IReadOnlyList<string>> { ["crown"] = ["crown"] });
        // Training: four 4-word windows; "she" in two, one of them with "crown"; "he" in two, both with "crown".
        string training = "she wore the crown she walked in light he took the crown he held the crown";
        // Samples: "she" in both windows, each with "crown" — the association doubled.
        string[] samples = ["she has a crown", "the crown for she"];
        var result = TextRepresentation.Compare(samples, training, lists, windowWords: 4);
        Assert.Equal(16, result.TrainingWords);
        Assert.Equal(8, result.SampleWords);
        var she = result.Rates.Single(r => r.Attribute == "f");
        Assert.Equal(1000.0 * 2 / 16, she.TrainingPerThousand, 12);
        Assert.Equal(1000.0 * 2 / 8, she.SamplePerThousand, 12);
        var pair = result.Cooccurrences.Single(c => c.Attribute == "f");
        Assert.Equal(0.5, pair.TrainingRate, 12);
        Assert.Equal(1.0, pair.SampleRate, 12);
        var male = result.Cooccurrences.Single(c => c.Attribute == "m");
        Assert.Equal(1.0, male.TrainingRate, 12);
        Assert.True(double.IsNaN(male.SampleRate));
    }

    [Fact]
    public void WordListFilesAreReadAndBadOnesNameTheFile()
    {
        using var folder = new Support.TempFolder();
        var good = folder.File("lists.json");
        File.WriteAllText(good, """{"attributes": {"f": ["She", "her"]}, "targets": {"t": ["crown"]}}""");
        var lists = AttributeWordLists.Load(good);
        Assert.Equal(["she", "her"], lists.Attributes["f"]);
        var bad = folder.File("bad.json");
        File.WriteAllText(bad, """{"attributes": {"f": []}}""");
        var error = Assert.Throws<LoomDataException>(() => AttributeWordLists.Load(bad));
        Assert.Contains("bad.json: attributes.f must be a non-empty list", error.Message);
    }
}
