using Loom.Core;
using Loom.Text.Watermarks;

namespace Loom.Tests.Text.Watermarks;

/// <summary>The green lists: deterministic, of size round(γV), a fair coin of weight γ per token, keyed, and the
/// self-hash variant's dependence on the candidate and (order-free) on four previous tokens.</summary>
public sealed class WatermarkGreenListTests
{
    private static WatermarkOptions Options(string key = "secret", double gamma = 0.25,
        WatermarkSeeding seeding = WatermarkSeeding.PreviousToken) => new() { Key = key, Gamma = gamma, Seeding = seeding };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(65)]
    [InlineData(1000)]
    [InlineData(4099)]
    public void The_keyed_permutation_is_a_bijection(int n)
    {
        foreach (ulong seed in new ulong[] { 0, 1, 0xDEADBEEF, ulong.MaxValue })
        {
            var images = Enumerable.Range(0, n).Select(x => KeyedPermutation.Apply(seed, x, n)).ToArray();
            Assert.All(images, y => Assert.InRange(y, 0, n - 1));
            Assert.Equal(n, images.Distinct().Count());
        }
    }

    [Theory]
    [InlineData(65, 0.25)]
    [InlineData(1000, 0.25)]
    [InlineData(1000, 0.5)]
    [InlineData(50257, 0.1)]
    public void A_previous_token_list_holds_round_gamma_v_tokens_and_is_the_same_every_time(int vocab, double gamma)
    {
        var lists = new WatermarkGreenList(Options(gamma: gamma), vocab);
        int expected = (int)Math.Round(gamma * vocab, MidpointRounding.AwayFromZero);
        Assert.Equal(expected, lists.GreenSize);
        foreach (long previous in new long[] { 0, 7, vocab - 1 })
        {
            var mask = lists.Mask([previous]);
            Assert.Equal(expected, mask.Count(g => g));
            Assert.Equal(mask, new WatermarkGreenList(Options(gamma: gamma), vocab).Mask([previous]));
            for (int token = 0; token < vocab; token += 1 + vocab / 50)
                Assert.Equal(mask[token], lists.IsGreen([previous], token));
        }
    }

    [Fact]
    public void The_key_and_the_previous_token_change_the_list()
    {
        var lists = new WatermarkGreenList(Options(), 1000);
        var other = new WatermarkGreenList(Options(key: "secreT"), 1000);
        Assert.NotEqual(lists.Mask([5]), other.Mask([5]));
        Assert.NotEqual(lists.Mask([5]), lists.Mask([6]));
        // Only the last token counts under PreviousToken seeding.
        Assert.Equal(lists.Mask([5]), lists.Mask([9, 3, 5]));
        Assert.Equal(new WatermarkGreenList(WatermarkOptions.FromKey(42), 1000).Mask([5]),
            new WatermarkGreenList(Options(key: "42"), 1000).Mask([5]));
    }

    [Theory]
    [InlineData(WatermarkSeeding.PreviousToken)]
    [InlineData(WatermarkSeeding.SelfHash)]
    public void A_token_is_green_in_about_gamma_of_contexts(WatermarkSeeding seeding)
    {
        var lists = new WatermarkGreenList(Options(seeding: seeding), 1000);
        int contexts = 4000, green = 0;
        for (int c = 0; c < contexts; c++)
            if (lists.IsGreen([c % 997, c / 7, 3, c], 17))
                green++;
        // Binomial(4000, 0.25): sd 27.4; 5 sd either side.
        Assert.InRange(green, 1000 - 137, 1000 + 137);
    }

    [Fact]
    public void A_self_hash_candidate_is_green_by_its_own_list_whatever_order_its_context_is_in()
    {
        var lists = new WatermarkGreenList(Options(seeding: WatermarkSeeding.SelfHash), 1000);
        Assert.Equal(4, lists.ContextWidth);
        var mask = lists.Mask([11, 22, 33, 44]);
        Assert.InRange(mask.Count(g => g), 250 - 70, 250 + 70);   // binomial around round(γV); sd 13.7
        Assert.Equal(mask, lists.Mask([44, 33, 22, 11]));          // the min-hash forgets the order
        Assert.Equal(mask, lists.Mask([5, 5, 11, 22, 33, 44]));    // only the last four count
        Assert.NotEqual(mask, lists.Mask([11, 22, 33, 45]));
        for (int token = 0; token < 1000; token += 37)
            Assert.Equal(mask[token], lists.IsGreen([11, 22, 33, 44], token));
        Assert.NotEqual(mask, new WatermarkGreenList(Options(), 1000).Mask([11, 22, 33, 44]));
    }

    [Fact]
    public void Bad_options_name_the_option()
    {
        Assert.Equal("Key", Assert.Throws<LoomUsageException>(() => new WatermarkGreenList(Options(key: ""), 10)).Option);
        foreach (double gamma in new[] { 0, 1, -0.5, double.NaN })
            Assert.Equal("Gamma", Assert.Throws<LoomUsageException>(() => new WatermarkGreenList(Options(gamma: gamma), 10)).Option);
        // γV rounding to an empty list is an error too.
        Assert.Equal("Gamma", Assert.Throws<LoomUsageException>(() => new WatermarkGreenList(Options(gamma: 0.01), 10)).Option);
        var delta = Options();
        delta.Delta = -1;
        Assert.Equal("Delta", Assert.Throws<LoomUsageException>(delta.Validate).Option);
        Assert.Equal("Seeding", Assert.Throws<LoomUsageException>(() => WatermarkOptions.ParseSeeding("minhash")).Option);
        Assert.Equal(WatermarkSeeding.SelfHash, WatermarkOptions.ParseSeeding("self-hash"));
        Assert.Equal(WatermarkSeeding.PreviousToken, WatermarkOptions.ParseSeeding("previous_token"));
        Assert.Throws<LoomUsageException>(() => new WatermarkGreenList(Options(), 1));
        Assert.Throws<LoomUsageException>(() => new WatermarkGreenList(Options(), 10).IsGreen([1], 10));
        Assert.Throws<LoomUsageException>(() => new WatermarkGreenList(Options(), 10).IsGreen([], 1));
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 0.15865525393145707)]
    [InlineData(-1, 0.8413447460685429)]
    [InlineData(1.959963984540054, 0.025)]
    [InlineData(4, 3.167124183311998e-05)]
    [InlineData(8, 6.220960574271785e-16)]
    public void The_normal_tail_matches_the_standard_normal(double z, double expected) =>
        Assert.Equal(expected, NormalTail.Upper(z), expected * 2e-6);
}
