using Loom.Models.Language;
using Loom.Models.Recurrent;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Transformer;

/// <summary>
/// The decoding invariants every causal model must keep: logits from cached steps equal a full recompute, a left-padded
/// row in a batch computes what it computes alone, and forward passes and train steps leave no tensors behind.
/// </summary>
public sealed class CacheAndPaddingTests
{
    public static TheoryData<string> Kinds => new() { "gpt", "llama", "gru", "lstm" };

    internal static nn.Module Create(string kind, int vocab = 11) => kind switch
    {
        "gpt" => new DecoderTransformer(TransformerConfig.Gpt2(vocab, 32, 2, 2, 16), seed: 3),
        "llama" => new DecoderTransformer(TransformerConfig.Llama(vocab, 32, 2, 4, 2, 16), seed: 3),
        "gru" => new RecurrentLanguageModel(new RecurrentConfig
        {
            Cell = RecurrentCell.Gru, VocabSize = vocab, EmbeddingWidth = 8, Hidden = 16, Layers = 2
        }, 3),
        "lstm" => new RecurrentLanguageModel(new RecurrentConfig
        {
            Cell = RecurrentCell.Lstm, VocabSize = vocab, EmbeddingWidth = 8, Hidden = 16, Layers = 2
        }, 3),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Cached_steps_equal_full_recompute(string kind)
    {
        using var module = Create(kind);
        module.eval();
        var model = (ICausalLanguageModel)module;
        using var noGrad = torch.no_grad();
        using var ids = torch.tensor(new long[] { 1, 5, 2, 7, 3, 9, 4, 4, 0, 6 }).view(1, -1);
        using var full = model.Forward(ids);
        using var state = model.CreateState(1, 10);
        var pieces = new List<Tensor> { model.Forward(ids.narrow(1, 0, 4), null, state) };   // prefill 4, then 2 + 1 + 1 + 1 + 1
        foreach (var (start, length) in new[] { (4, 2), (6, 1), (7, 1), (8, 1), (9, 1) })
            pieces.Add(model.Forward(ids.narrow(1, start, length), null, state));
        using var cached = torch.cat(pieces, 1);
        Assert.Equal(10, state.Length);
        double diff = (cached - full).abs().max().ToDouble();
        Assert.True(diff < 1e-5, $"{kind}: max |cached − full| = {diff:E2}");
        foreach (var p in pieces) p.Dispose();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Left_padded_rows_equal_unbatched(string kind)
    {
        using var module = Create(kind);
        module.eval();
        var model = (ICausalLanguageModel)module;
        using var noGrad = torch.no_grad();
        long[] a = [3, 1, 4, 1, 5, 9], b = [2, 7];
        using var alone = model.Forward(torch.tensor(b).view(1, -1));
        using var batch = torch.tensor(new long[] { 3, 1, 4, 1, 5, 9, 0, 0, 0, 0, 2, 7 }).view(2, 6);
        using var mask = torch.tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1 }).view(2, 6);
        using var state = model.CreateState(2, 8);
        using var batched = model.Forward(batch, mask, state);
        double diff = (batched[1].narrow(0, 4, 2) - alone[0]).abs().max().ToDouble();
        Assert.True(diff < 1e-5, $"{kind}: padded row differs by {diff:E2}");
        // One cached step more for both rows: the padded row still matches its unbatched continuation.
        using var longer = model.Forward(torch.tensor(new long[] { 2, 7, 8 }).view(1, -1));
        using var stepMask = torch.cat([mask, torch.ones(2, 1, ScalarType.Int64)], 1);
        using var step = model.Forward(torch.tensor(new long[] { 6, 8 }).view(2, 1), stepMask, state);
        double stepDiff = (step[1, 0] - longer[0, 2]).abs().max().ToDouble();
        Assert.True(stepDiff < 1e-5, $"{kind}: cached step of the padded row differs by {stepDiff:E2}");
        using var first = model.Forward(torch.tensor(a).view(1, -1));
        Assert.True((batched[0] - first[0]).abs().max().ToDouble() < 1e-5);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Tensor_counts_stay_flat_across_train_steps_and_decoding(string kind)
    {
        using var module = Create(kind);
        var model = (ICausalLanguageModel)module;
        var stream = Enumerable.Range(0, 400).Select(i => (i * 7 + i / 3) % 11).ToArray();
        var data = LanguageModelData.FromStream(stream);
        var options =
            new LanguageModelTrainingOptions { Steps = 6, BatchSize = 4, Context = 8, EvalEvery = 3, EvalBatches = 2, Warmup = 1 };
        using var trainer = kind is "gpt" or "llama"
            ? LanguageModelTraining.CreateTrainer((DecoderTransformer)module, data, options)
            : LanguageModelTraining.CreateTrainer((RecurrentLanguageModel)module, data, options);
        trainer.Run();   // warm-up: optimizer moments exist from here on
        long before = TensorCounts.Live;
        using (var more = kind is "gpt" or "llama"
            ? LanguageModelTraining.CreateTrainer((DecoderTransformer)module, data, options with { Steps = 4 })
            : LanguageModelTraining.CreateTrainer((RecurrentLanguageModel)module, data, options with { Steps = 4 }))
        {
            more.Run();
        }
        Assert.Equal(before, TensorCounts.Live);   // the second trainer's optimizer moments went with it
        module.eval();
        using var noGrad = torch.no_grad();
        using var state = model.CreateState(1, 20);
        using (var prefill = model.Forward(torch.tensor(new long[] { 1, 2, 3 }).view(1, -1), null, state)) { }
        long decoding = TensorCounts.Live;
        for (int i = 0; i < 10; i++)
            using (var scope = torch.NewDisposeScope())
                model.Forward(torch.tensor(new long[] { i % 11 }).view(1, 1), null, state);
        Assert.Equal(decoding, TensorCounts.Live);
    }
}
