using Loom.IO;
using Loom.Models.Language;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using Loom.Tests.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using TorchSharp;

namespace Loom.Tests.Text.Generation;

/// <summary>The decoding engine on real models: HF's greedy output, cache = recompute, batched = unbatched, seeds, stops,
/// streaming.</summary>
public sealed class TextGeneratorTests
{
    private static (DecoderTransformer Model, long[] Prompt, long[] Expected) Fixture(string name)
    {
        var model = HfConformanceTests.LoadFixture(name);
        using var reference = SafeTensorsFile.Load(RepoPaths.Fixture(Path.Combine("hf", name, "reference.safetensors")));
        return (model, reference.Tensors["greedy_prompt"].data<long>().ToArray(),
            reference.Tensors["greedy_output"].data<long>().ToArray());
    }

    private static GenerationSettings Greedy(int tokens) => new() { DoSample = false, MaxNewTokens = tokens };

    [Theory]
    [InlineData("tiny-gpt2", true)]
    [InlineData("tiny-gpt2", false)]
    [InlineData("tiny-llama", true)]
    [InlineData("tiny-llama", false)]
    public void Greedy_generation_equals_hf(string name, bool cache)
    {
        var (model, prompt, expected) = Fixture(name);
        using var _ = model;
        var generator = new TextGenerator(model, new IdTokenizer(1000), 0) { UseCache = cache };
        var output = generator.Generate([IdTokenizer.Text(prompt)], Greedy(expected.Length - prompt.Length))[0];
        Assert.Equal(expected[prompt.Length..].Select(t => (int)t), output.TokenIds);
        Assert.Equal("length", output.FinishReason);
    }

    [Fact]
    public void Batched_left_padded_prompts_equal_unbatched()
    {
        var (model, prompt, _) = Fixture("tiny-llama");
        using var _ = model;
        // Padding uses a token the prompts contain, so counting padding as history would change the penalties.
        var generator = new TextGenerator(model, new IdTokenizer(1000), (int)prompt[0]);
        string[] prompts = [IdTokenizer.Text(prompt), IdTokenizer.Text(prompt[3..]), IdTokenizer.Text(prompt[..2])];
        var settings = Greedy(12);
        settings.RepetitionPenalty = 1.3;
        settings.FrequencyPenalty = 0.5;
        settings.NoRepeatNGramSize = 2;
        settings.MinNewTokens = 4;
        settings.EosTokenIds.Add(7);
        var batched = generator.Generate(prompts, settings);
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(generator.Generate([prompts[i]], settings)[0].TokenIds, batched[i].TokenIds);
    }

    [Fact]
    public void Seeded_sampling_repeats_and_seeds_differ()
    {
        var (model, prompt, _) = Fixture("tiny-gpt2");
        using var _ = model;
        var generator = new TextGenerator(model, new IdTokenizer(1000), 0);
        GenerationSettings Sampled(long seed) =>
            new() { DoSample = true, MaxNewTokens = 16, TopK = 50, TopP = 0.95, Temperature = 1.5, Seed = seed };
        var a = generator.Generate([IdTokenizer.Text(prompt)], Sampled(7))[0].TokenIds;
        var b = generator.Generate([IdTokenizer.Text(prompt)], Sampled(7))[0].TokenIds;
        var c = generator.Generate([IdTokenizer.Text(prompt)], Sampled(8))[0].TokenIds;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Eos_and_stop_sequences_end_rows()
    {
        var (model, prompt, expected) = Fixture("tiny-gpt2");
        using var _ = model;
        var generator = new TextGenerator(model, new IdTokenizer(1000), 0);
        var generated = expected[prompt.Length..];
        // The first token that does not occur earlier in the continuation ends it when declared EOS.
        int j = Enumerable.Range(1, generated.Length - 1).First(i => !generated[..i].Contains(generated[i]));
        var eos = Greedy(20);
        eos.EosTokenIds.Add((int)generated[j]);
        var ended = generator.Generate([IdTokenizer.Text(prompt)], eos)[0];
        Assert.Equal("eos", ended.FinishReason);
        Assert.Equal(j + 1, ended.TokenIds.Count);
        Assert.Equal(IdTokenizer.Text(generated[..j]), ended.Text);

        var full = IdTokenizer.Text(generated);
        var stopString = IdTokenizer.Text(generated[j..(j + 2)]);
        var stop = Greedy(20);
        stop.Stop.Add(stopString);
        var stopped = generator.Generate([IdTokenizer.Text(prompt)], stop)[0];
        Assert.Equal("stop", stopped.FinishReason);
        Assert.Equal(full[..full.IndexOf(stopString, StringComparison.Ordinal)], stopped.Text);
    }

    [Fact]
    public async Task Streams_concatenate_to_the_generated_text_and_cancel()
    {
        var (model, prompt, _) = Fixture("tiny-gpt2");
        using var _ = model;
        var generator = new TextGenerator(model, new IdTokenizer(1000), 0);
        var settings = new GenerationSettings { DoSample = true, MaxNewTokens = 10, Seed = 3, Logprobs = 2 };
        var whole = generator.Generate([IdTokenizer.Text(prompt)], settings)[0];
        var pieces = new List<GeneratedToken>();
        await foreach (var token in generator.StreamAsync(IdTokenizer.Text(prompt), settings))
            pieces.Add(token);
        Assert.Equal(whole.Text, string.Concat(pieces.Select(p => p.Text)));
        Assert.Contains(pieces, p => p.TokenId >= 0); // so the checks below run on at least one token
        Assert.All(pieces.Where(p => p.TokenId >= 0), p =>
        {
            Assert.NotNull(p.Logprob);
            Assert.Equal(2, p.Alternatives.Count);
            Assert.True(p.Alternatives[0].Logprob >= p.Logprob!.Value - 1e-6);
        });
        using var cancel = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var token in generator.StreamAsync(IdTokenizer.Text(prompt), MaxTokens(settings, 1000), cancel.Token))
                if (++seen == 3) cancel.Cancel();
        });
        Assert.True(seen < 100);
    }

    [Fact]
    public void Generation_past_the_context_crops_like_recompute_and_keeps_tensor_counts_flat()
    {
        using var model = new DecoderTransformer(TransformerConfig.Gpt2(50, 8, 2, 2, 16), seed: 1);
        model.eval();
        var tokenizer = new IdTokenizer(50);
        var settings = Greedy(20);
        var cached = new TextGenerator(model, tokenizer, 0).Generate(["⟨1⟩⟨2⟩⟨3⟩"], settings)[0];
        var recomputed = new TextGenerator(model, tokenizer, 0) { UseCache = false }.Generate(["⟨1⟩⟨2⟩⟨3⟩"], settings)[0];
        Assert.Equal(recomputed.TokenIds, cached.TokenIds);
        Assert.Equal(20, cached.TokenIds.Count);
        var sampled = new GenerationSettings { DoSample = true, MaxNewTokens = 12, Seed = 1, TopP = 0.9, RepetitionPenalty = 1.2 };
        new TextGenerator(model, tokenizer, 0).Generate(["⟨1⟩", "⟨4⟩⟨5⟩"], sampled);   // warm-up: lazily created library state
        long before = TensorCounts.Live;
        for (int i = 0; i < 3; i++)
            new TextGenerator(model, tokenizer, 0).Generate(["⟨1⟩", "⟨4⟩⟨5⟩"], sampled);
        Assert.Equal(before, TensorCounts.Live);
    }

    [Fact]
    public void Beam_search_is_deterministic_and_scores_at_least_greedy()
    {
        var (model, prompt, _) = Fixture("tiny-gpt2");
        using var _ = model;
        var generator = new TextGenerator(model, new IdTokenizer(1000), 0);
        var beams = Greedy(6);
        beams.NumBeams = 4;
        beams.LengthPenalty = 0;
        var a = generator.Generate([IdTokenizer.Text(prompt)], beams)[0];
        var b = generator.Generate([IdTokenizer.Text(prompt)], beams)[0];
        Assert.Equal(a.TokenIds, b.TokenIds);
        var greedy = generator.Generate([IdTokenizer.Text(prompt)], Greedy(6))[0];
        Assert.True(SequenceLogProb(model, prompt, a.TokenIds) >= SequenceLogProb(model, prompt, greedy.TokenIds) - 1e-4);
    }

    private static GenerationSettings MaxTokens(GenerationSettings settings, int tokens)
    {
        var copy = settings.Clone();
        copy.MaxNewTokens = tokens;
        return copy;
    }

    private static double SequenceLogProb(DecoderTransformer model, long[] prompt, IReadOnlyList<int> generated)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var all = prompt.Concat(generated.Select(g => (long)g)).ToArray();
        var logits = model.Forward(torch.tensor(all).view(1, -1)).log_softmax(-1);
        double total = 0;
        for (int i = prompt.Length; i < all.Length; i++)
            total += logits[0, i - 1, all[i]].ToDouble();
        return total;
    }
}
