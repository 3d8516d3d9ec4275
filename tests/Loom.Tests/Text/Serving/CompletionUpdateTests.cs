using static Loom.Tests.Text.Serving.ServingFixture;

namespace Loom.Tests.Text.Serving;

/// <summary>
/// What a request streams: one update per token with its log-probability and alternatives, text as
/// <see cref="Loom.Text.Generation.TextGenerator"/> streams it, then exactly one final update with the finish reason
/// (eos, stop, length) and the usage counts.
/// </summary>
public sealed class CompletionUpdateTests
{
    [Fact]
    public async Task Finish_reasons_eos_stop_and_length_with_usage()
    {
        using var fixture = new ServingFixture("gpt");
        using var engine = fixture.Engine();
        var (prompt, generated, j) = Enumerable.Range(0, 10).Select(i => FreshToken(fixture, Prompt(i))).First(c => c.Fresh > 0);
        var eos = Greedy(20);
        eos.EosTokenIds.Add(generated[j]);
        var stop = Greedy(20);
        stop.Stop.Add(fixture.Generator.Tokenizer.Decode([generated[j], generated[j + 1]]));
        var settings = new[] { eos, stop, Greedy(5) };
        var results = await Task.WhenAll(settings.Select(s => CollectAsync(engine, prompt, s)));
        Assert.Equal(["eos", "stop", "length"], results.Select(r => r[^1].FinishReason));
        Assert.Equal([j + 1, j + 2, 5], results.Select(r => r[^1].CompletionTokens));
        for (int i = 0; i < settings.Length; i++)
        {
            var alone = fixture.Alone(prompt, settings[i]);
            var updates = results[i];
            Assert.Single(updates, u => u.FinishReason is not null);
            Assert.Equal(alone.Text, ServingFixture.Text(updates));
            Assert.Equal(alone.TokenIds, TokenIds(updates));
            Assert.All(updates, u => Assert.Equal(prompt.Length, u.PromptTokens));
            Assert.Equal(Enumerable.Range(1, alone.TokenIds.Count), updates.Where(u => u.Token is { TokenId: >= 0 })
                .Select(u => u.CompletionTokens));
        }
    }

    /// <summary>
    /// The greedy continuation of <paramref name="prompt"/> and the first position k ≥ 1 (0 if none) whose token does not
    /// occur earlier: declared EOS, it ends the continuation there; it and the next token make a stop string.
    /// </summary>
    private static (int[] Prompt, IReadOnlyList<int> Generated, int Fresh) FreshToken(ServingFixture fixture, int[] prompt)
    {
        var generated = fixture.Alone(prompt, Greedy(20)).TokenIds;
        return (prompt, generated, Enumerable.Range(1, 18).FirstOrDefault(k => !generated.Take(k).Contains(generated[k])));
    }

    [Fact]
    public async Task Tokens_carry_their_logprobs_and_alternatives_as_alone()
    {
        using var fixture = new ServingFixture("llama");
        using var engine = fixture.Engine();
        var settings = Greedy(8);
        settings.Logprobs = 3;
        var others = Enumerable.Range(0, 3).Select(i => CollectAsync(engine, Prompt(i), Greedy(10))).ToList();
        var updates = await CollectAsync(engine, Prompt(3), settings);
        await Task.WhenAll(others);
        var alone = fixture.Alone(Prompt(3), settings).Tokens.Where(t => t.TokenId >= 0).ToList();
        var batched = updates.Where(u => u.Token is { TokenId: >= 0 }).Select(u => u.Token!).ToList();
        Assert.Equal(alone.Count, batched.Count);
        for (int i = 0; i < alone.Count; i++)
        {
            Assert.Equal(0, batched[i].Row);
            Assert.Equal(alone[i].Logprob!.Value, batched[i].Logprob!.Value, 1e-4);
            Assert.Equal(alone[i].Alternatives.Select(a => a.TokenId), batched[i].Alternatives.Select(a => a.TokenId));
            Assert.Equal(alone[i].Alternatives.Select(a => a.Text), batched[i].Alternatives.Select(a => a.Text));
        }
    }
}
