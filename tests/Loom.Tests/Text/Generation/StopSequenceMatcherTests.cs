using Loom.Text.Generation;

namespace Loom.Tests.Text.Generation;

public sealed class StopSequenceMatcherTests
{
    [Fact]
    public void Holds_back_a_possible_stop_prefix_and_cuts_at_the_stop()
    {
        var m = new StopSequenceMatcher(["END", "\n\n"]);
        Assert.Equal("hello ", m.Push("hello E"));
        Assert.Equal("", m.Push("N"));
        Assert.Equal("", m.Push("D and more"));
        Assert.True(m.Stopped);
        Assert.Equal("END", m.Matched);
        Assert.Equal("", m.Push("ignored"));
    }

    [Fact]
    public void Releases_a_prefix_that_did_not_complete()
    {
        var m = new StopSequenceMatcher(["END"]);
        Assert.Equal("a", m.Push("aE"));
        Assert.Equal("ENx", m.Push("Nx"));
        Assert.Equal("", m.Push("EN"));
        Assert.Equal("EN", m.Flush());
        Assert.False(m.Stopped);
    }

    [Fact]
    public void Earliest_stop_wins_and_no_stops_pass_everything()
    {
        var m = new StopSequenceMatcher(["cd", "b"]);
        Assert.Equal("a", m.Push("abcd"));
        Assert.Equal("b", m.Matched);
        var none = new StopSequenceMatcher([]);
        Assert.Equal("abc", none.Push("abc"));
    }
}
