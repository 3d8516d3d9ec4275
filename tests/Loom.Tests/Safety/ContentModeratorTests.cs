using Loom.Core;
using Loom.Safety;

namespace Loom.Tests.Safety;

public class ContentModeratorTests
{
    private const string Training = "first line of the play\n"
        + "second line says nothing much\n"
        + "now is the winter of our discontent made glorious summer by this sun of york\n";

    [Fact]
    public void FlagModeKeepsTheTextAndReportsEveryFinding()
    {
        var result = new ContentModerator(new ModerationOptions()).Review("mail a.b@example.com or call +44 20 7946 0958");
        Assert.Equal("mail a.b@example.com or call +44 20 7946 0958", result.Text);
        Assert.Equal([ContentCategories.Email, ContentCategories.Phone], result.Flags.Select(f => f.Category));
        Assert.False(result.Redacted);
        Assert.False(result.Blocked);
        Assert.StartsWith("flagged: pii.email 0.95 at 5+15", result.Summary());
    }

    [Fact]
    public void RedactReplacesEachFlaggedSpan()
    {
        var moderator = new ContentModerator(new ModerationOptions { Action = ModerationAction.Redact });
        var result = moderator.Review("mail a.b@example.com or call +44 20 7946 0958.");
        Assert.Equal("mail [REDACTED pii.email] or call [REDACTED pii.phone].", result.Text);
        Assert.True(result.Redacted);
        Assert.True(moderator.MayChangeOutput);
    }

    [Fact]
    public void APerCategoryBlockWithholdsTheWholeOutputButKeepsItsFlags()
    {
        var options = new ModerationOptions
        {
            Actions = new Dictionary<string, ModerationAction> { [ContentCategories.PaymentCard] = ModerationAction.Block },
        };
        var moderator = new ContentModerator(options);
        var blocked = moderator.Review("my card is 4111 1111 1111 1111");
        Assert.True(blocked.Blocked);
        Assert.Equal("", blocked.Text);
        Assert.Equal(ContentCategories.PaymentCard, Assert.Single(blocked.Flags).Category);
        var mailOnly = moderator.Review("mail a.b@example.com");
        Assert.False(mailOnly.Blocked);
        Assert.True(mailOnly.Flagged);
    }

    [Fact]
    public void FlagsBelowTheMinimumScoreAreReportedButDoNotAct()
    {
        var moderator = new ContentModerator(new ModerationOptions { Action = ModerationAction.Block, MinScore = 0.7 });
        var result = moderator.Review("number 9900000000123457");   // Luhn-valid, no card network: scores 0.6
        Assert.False(result.Blocked);
        Assert.Equal(0.6, Assert.Single(result.Flags).Score);
    }

    [Fact]
    public void BlockListMatchesWholeWordsAndPhrasesCaseInsensitively()
    {
        var moderator = new ContentModerator(new ModerationOptions { DetectPersonalData = false, BlockedTerms = ["ass", "bad word"] });
        string text = "class assignment: the ASS and a bad\n word";
        var flags = moderator.Review(text).Flags;
        Assert.Equal(["ASS", "bad\n word"], flags.Select(f => f.Excerpt(text)));
        Assert.All(flags, f => Assert.Equal(ContentCategories.BlockedTerm, f.Category));
    }

    [Fact]
    public void PatternsFlagTheirMatchesAndABadPatternNamesTheOption()
    {
        var moderator = new ContentModerator(new ModerationOptions { BlockedPatterns = [@"\bsecret-\d+\b"] });
        var flag = Assert.Single(moderator.Review("the key is secret-42.").Flags);
        Assert.Equal(@"\bsecret-\d+\b", flag.Detail);
        var error = Assert.Throws<LoomUsageException>(() => new ContentModerator(new ModerationOptions { BlockedPatterns = ["("] }));
        Assert.Equal(nameof(ModerationOptions.BlockedPatterns), error.Option);
    }

    [Fact]
    public void MemorizationNamesTheTrainingLineTheCopyComesFrom()
    {
        var moderator = new ContentModerator(new ModerationOptions { TrainingText = Training, TrainingTextSource = "play.txt" });
        string output = "he said: winter of our discontent made glorious summer by this sun and left";
        var flag = Assert.Single(moderator.Review(output).Flags);
        Assert.Equal(ContentCategories.Memorization, flag.Category);
        Assert.Equal("winter of our discontent made glorious summer by this sun", flag.Excerpt(output));
        Assert.Equal("10 words copied from play.txt line 3", flag.Detail);
        Assert.Empty(moderator.Review("winter of our discontent made glorious fall").Flags);   // 6 words: too short
    }

    [Fact]
    public void OptionsAreValidatedAndClonesAreIndependent()
    {
        Assert.Equal(nameof(ModerationOptions.MinScore),
            Assert.Throws<LoomUsageException>(() => new ContentModerator(new ModerationOptions { MinScore = 2 })).Option);
        Assert.Equal(nameof(ModerationOptions.MemorizationWords),
            Assert.Throws<LoomUsageException>(() => new ModerationOptions { MemorizationWords = 1 }.Validate()).Option);
        var options = new ModerationOptions { BlockedTerms = ["x"] };
        var copy = options.Clone();
        ((List<string>)copy.BlockedTerms).Add("y");
        Assert.Equal(["x"], options.BlockedTerms);
    }
}
