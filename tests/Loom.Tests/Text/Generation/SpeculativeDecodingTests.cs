using Loom.Core;
using Loom.Models.Language;
using Loom.Models.Recurrent;
using Loom.Models.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Text.Generation;

/// <summary>
/// Speculative decoding against the target alone: greedy output token for token, sampled outputs against the target's exact
/// (processed) distribution by a χ² test, the KV cache's rewind against a fresh cache, and the refusals.
/// </summary>
public sealed class SpeculativeDecodingTests
{
    private const int Vocab = 5;

    /// <summary>A random transformer whose embedding (tied to the output head) is scaled up so its next-token distributions
    /// are far from uniform; different seeds and shapes give a target and a draft that disagree often.</summary>
    /// <remarks>An untied head keeps its small initial weights: such a model's distributions are close to uniform.</remarks>
    private static DecoderTransformer Random(TransformerStyle style, int layers, int width, long seed, int vocab = Vocab, bool tied = true)
    {
        var model = new DecoderTransformer(new TransformerConfig
        {
            Style = style, VocabSize = vocab, ContextLength = 64, Layers = layers, Heads = 2, KvHeads = 2, Width = width,
            TieEmbeddings = tied,
        }, seed);
        using (torch.no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name.Contains("wte") || name.Contains("embed_tokens"))
                    p.mul_(60);
        model.eval();
        return model;
    }

    private static GenerationSettings Greedy(int tokens) => new() { DoSample = false, MaxNewTokens = tokens };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void Greedy_speculative_output_equals_the_target_alone(int draftTokens)
    {
        using var target = Random(TransformerStyle.Gpt2, 2, 16, seed: 1, vocab: 11);
        using var draft = Random(TransformerStyle.Llama, 1, 8, seed: 2, vocab: 11);
        var plain = new TextGenerator(target, new IdTokenizer(11), 0);
        var speculative = plain.WithDraft(new SpeculativeDraft(draft, draftTokens));
        var settings = Greedy(30);
        settings.RepetitionPenalty = 1.2;   // a processor that reads the history: it must see each position's own prefix
        string[] prompts = ["⟨3⟩", "⟨1⟩⟨4⟩⟨1⟩⟨5⟩", "⟨9⟩⟨2⟩"];
        var expected = plain.Generate(prompts, settings);
        var actual = speculative.Generate(prompts, settings);
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(expected[i].TokenIds, actual[i].TokenIds);
            Assert.Null(expected[i].Speculation);
            var stats = Assert.IsType<SpeculationStats>(actual[i].Speculation);
            Assert.Equal(30, stats.Accepted + stats.Rounds);   // every token is an accepted draft or the target's own
            Assert.InRange(stats.AcceptanceRate, 0, 1);
        }
    }

    [Fact]
    public void A_draft_equal_to_the_target_is_always_accepted_and_streams_the_same_tokens()
    {
        using var target = Random(TransformerStyle.Llama, 2, 16, seed: 4, vocab: 11);
        var plain = new TextGenerator(target, new IdTokenizer(11), 0);
        var speculative = plain.WithDraft(new SpeculativeDraft(target, 4));
        var settings = Greedy(23);
        settings.Logprobs = 2;
        var expected = plain.Generate(["⟨7⟩⟨2⟩"], settings)[0];
        var actual = speculative.Generate(["⟨7⟩⟨2⟩"], settings)[0];
        Assert.Equal(expected.TokenIds, actual.TokenIds);
        var stats = actual.Speculation!;
        Assert.Equal(1.0, stats.AcceptanceRate);
        Assert.Equal(5, stats.Rounds);   // 4 + 1 tokens per round; the last round drafts 2 to stop at 23
        for (int i = 0; i < expected.Tokens.Count; i++)
        {
            Assert.Equal(expected.Tokens[i].Logprob!.Value, actual.Tokens[i].Logprob!.Value, 4);
            Assert.Equal(expected.Tokens[i].Alternatives.Select(a => a.TokenId), actual.Tokens[i].Alternatives.Select(a => a.TokenId));
        }
        var streamed = speculative.Stream(["⟨7⟩⟨2⟩"], settings).Where(t => t.TokenId >= 0).Select(t => t.TokenId);
        Assert.Equal(expected.TokenIds, streamed);
    }

    [Fact]
    public void Sampled_outputs_follow_the_targets_processed_distribution()
    {
        using var target = Random(TransformerStyle.Gpt2, 2, 16, seed: 11);
        using var draft = Random(TransformerStyle.Gpt2, 1, 8, seed: 12, tied: false);
        var settings = new GenerationSettings { DoSample = true, MaxNewTokens = 2, Temperature = 1.2, TopK = 4, Seed = 5 };
        var prompt = new[] { 2, 0 };
        var exact = ExactJoint(target, prompt, settings);
        var draftJoint = ExactJoint(draft, prompt, settings);
        double distance = exact.Keys.Union(draftJoint.Keys)
            .Sum(k => Math.Abs(exact.GetValueOrDefault(k) - draftJoint.GetValueOrDefault(k)));
        Assert.True(distance > 0.4, $"target and draft agree too well (L1 {distance:F3}) for the test to tell them apart");

        // One round per output: a draft, then the target's correction or its bonus token, so the pairs of tokens test all
        // three paths (accepted draft, residual draw, bonus draw) at two forward passes each.
        const int samples = 1200;
        var generator = new TextGenerator(target, new IdTokenizer(Vocab), 0).WithDraft(new SpeculativeDraft(draft, 1));
        var outputs = generator.Generate(Enumerable.Repeat((IReadOnlyList<int>)prompt, samples).ToList(), settings);
        var counts = outputs.GroupBy(o => Key(o.TokenIds)).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(outputs.Sum(o => o.Speculation!.Accepted) > 0 && outputs.Sum(o => o.Speculation!.Accepted)
            < outputs.Sum(o => o.Speculation!.Drafted), "both acceptance and rejection should occur");
        var (statistic, df) = ChiSquare(counts, exact, samples);
        Assert.True(statistic < ChiSquareCritical(df), $"χ² = {statistic:F1} with {df} degrees of freedom");
        // The same test rejects the draft's distribution: it has the power to tell.
        var (againstDraft, draftDf) = ChiSquare(counts, draftJoint, samples);
        Assert.True(againstDraft > ChiSquareCritical(draftDf), $"χ² against the draft = {againstDraft:F1} ({draftDf} df)");
    }

    [Fact]
    public void The_acceptance_rule_keeps_the_target_distribution_on_plain_vectors()
    {
        double[] p0 = [0.5, 0.3, 0.15, 0.05], q0 = [0.1, 0.2, 0.3, 0.4], p1 = [0.25, 0.25, 0.25, 0.25];
        var random = new Random(3);
        var counts = new Dictionary<string, int>();
        const int samples = 20000;
        for (int n = 0; n < samples; n++)
        {
            int draftToken = SpeculativeSampling.Draw(q0, random);
            var (accepted, next) = SpeculativeSampling.Verify([p0, p1], [q0], [draftToken], random);
            string first = (accepted == 1 ? draftToken : next).ToString(System.Globalization.CultureInfo.InvariantCulture);
            counts[first] = counts.GetValueOrDefault(first) + 1;
        }
        var expected = p0.Select((p, v) => (v.ToString(System.Globalization.CultureInfo.InvariantCulture), p))
            .ToDictionary(e => e.Item1, e => e.p);
        var (statistic, df) = ChiSquare(counts, expected, samples);
        Assert.True(statistic < ChiSquareCritical(df), $"χ² = {statistic:F1} with {df} degrees of freedom");
        Assert.Null(SpeculativeSampling.Residual(q0, q0));
    }

    [Fact]
    public void A_rewound_cache_continues_as_a_fresh_cache_fed_the_kept_tokens()
    {
        using var model = Random(TransformerStyle.Llama, 2, 16, seed: 7, vocab: 11);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        long[] kept = [1, 2, 3, 4, 5], dropped = [6, 7, 8], next = [9, 10];
        using var rewound = (KvCache)model.CreateState(1, 16);
        model.Forward(torch.tensor(kept).view(1, -1), null, rewound);
        model.Forward(torch.tensor(dropped).view(1, -1), null, rewound);
        rewound.Rewind(kept.Length);
        Assert.Equal(kept.Length, rewound.Length);
        var afterRewind = model.Forward(torch.tensor(next).view(1, -1), null, rewound);
        using var fresh = model.CreateState(1, 16);
        model.Forward(torch.tensor(kept).view(1, -1), null, fresh);
        var expected = model.Forward(torch.tensor(next).view(1, -1), null, fresh);
        Assert.True(afterRewind.allclose(expected, rtol: 1e-5, atol: 1e-5), "the rewound cache attends to dropped tokens");
        var whole = model.Forward(torch.tensor(kept.Concat(next).ToArray()).view(1, -1));
        Assert.True(afterRewind.allclose(whole.narrow(1, kept.Length, next.Length), rtol: 1e-4, atol: 1e-4));
        Assert.Throws<LoomUsageException>(() => rewound.Rewind(rewound.Length + 1));
        Assert.Throws<LoomUsageException>(() => rewound.Rewind(-1));
    }

    [Fact]
    public void Drafts_and_settings_that_cannot_stay_exact_are_refused_naming_the_option()
    {
        using var target = Random(TransformerStyle.Gpt2, 1, 8, seed: 1, vocab: 11);
        using var otherVocab = Random(TransformerStyle.Gpt2, 1, 8, seed: 2, vocab: 12);
        var plain = new TextGenerator(target, new IdTokenizer(11), 0);
        Assert.Equal("Draft", Assert.Throws<LoomUsageException>(() => plain.WithDraft(new SpeculativeDraft(otherVocab))).Option);
        var mismatch = Assert.Throws<LoomUsageException>(() => plain.WithDraft(new SpeculativeDraft(target, 2, new IdTokenizer(12))));
        Assert.Equal("Draft", mismatch.Option);
        Assert.Contains("tokenizer", mismatch.Message);
        Assert.Equal("DraftTokens", Assert.Throws<LoomUsageException>(() => plain.WithDraft(new SpeculativeDraft(target, 0))).Option);
        var speculative = plain.WithDraft(new SpeculativeDraft(target, 2));
        var beams = Greedy(4);
        beams.NumBeams = 3;
        Assert.Equal("NumBeams", Assert.Throws<LoomUsageException>(() => speculative.Generate(["⟨1⟩"], beams)).Option);
        Assert.Equal("MaxNewTokens", Assert.Throws<LoomUsageException>(() => speculative.Generate(["⟨1⟩"], Greedy(64))).Option);
        using var rnn = new RecurrentLanguageModel(new RecurrentConfig { VocabSize = 11, EmbeddingWidth = 4, Hidden = 8 });
        var recurrent = plain.WithDraft(new SpeculativeDraft(rnn, 2));
        var error = Assert.Throws<LoomUsageException>(() => recurrent.Generate(["⟨1⟩"], Greedy(4)));
        Assert.Equal("Draft", error.Option);
        Assert.Contains("rolled back", error.Message);
    }

    private static string Key(IEnumerable<int> ids) => string.Join(",", ids);

    /// <summary>The target's exact probability of every sequence of <c>MaxNewTokens</c> tokens after the prompt, each step from
    /// its processed scores (the settings' processors on the logits of a full forward pass over the prefix).</summary>
    private static Dictionary<string, double> ExactJoint(ICausalLanguageModel model, int[] prompt, GenerationSettings settings)
    {
        var processors = settings.BuildProcessors(prompt.Length);
        var result = new Dictionary<string, double>();
        void Walk(List<long> prefix, double probability, int depth)
        {
            if (depth == settings.MaxNewTokens)
            {
                result[Key(prefix.Skip(prompt.Length).Select(t => (int)t))] = probability;
                return;
            }
            double[] p;
            using (var scope = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var ids = torch.tensor(prefix.ToArray()).view(1, -1);
                var logits = model.Forward(ids);
                var scores = processors.Process(ids, logits.select(1, logits.shape[1] - 1));
                p = scores.to(ScalarType.Float64).softmax(-1).data<double>().ToArray();
            }
            for (int v = 0; v < p.Length; v++)
                if (p[v] > 0)
                    Walk([.. prefix, v], probability * p[v], depth + 1);
        }
        Walk(prompt.Select(t => (long)t).ToList(), 1.0, 0);
        return result;
    }

    /// <summary>Pearson's χ² of observed counts against expected probabilities, cells with expected count under 5 pooled.</summary>
    private static (double Statistic, int DegreesOfFreedom) ChiSquare(Dictionary<string, int> counts, Dictionary<string, double> expected,
        int samples)
    {
        double statistic = 0, pooledExpected = 0;
        int pooledObserved = 0, cells = 0;
        foreach (var key in expected.Keys.Union(counts.Keys))
        {
            double e = expected.GetValueOrDefault(key) * samples;
            int o = counts.GetValueOrDefault(key);
            if (e < 5)
            {
                pooledExpected += e;
                pooledObserved += o;
                continue;
            }
            statistic += (o - e) * (o - e) / e;
            cells++;
        }
        if (pooledExpected > 0)
        {
            statistic += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected;
            cells++;
        }
        else if (pooledObserved > 0)
            statistic = double.PositiveInfinity;   // a sequence the distribution cannot produce
        return (statistic, cells - 1);
    }

    /// <summary>The 0.999 quantile of χ² with <paramref name="df"/> degrees of freedom (Wilson–Hilferty).</summary>
    private static double ChiSquareCritical(int df)
    {
        const double z = 3.0902;   // the standard normal's 0.999 quantile
        double a = 2.0 / (9 * df);
        return df * Math.Pow(1 - a + z * Math.Sqrt(a), 3);
    }
}
