using Loom.Text.Decoding;
using Loom.Text.Generation;
using Loom.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Serving;

/// <summary>
/// One request as a row of the batch: its logits processors over its own history (prompt + generated, never the
/// padding), its own token selector (seeded per request, so a seeded request draws the same tokens batched as alone),
/// its streamed text (UTF-8 and stop sequences as <see cref="TextGenerator"/> streams them) and the updates it sends.
/// Worker-thread only.
/// </summary>
internal sealed class DecodingRow : IDisposable
{
    private readonly ITokenizer tokenizer;
    private readonly GenerationSettings settings;
    private readonly LogitsProcessorChain processors;
    private readonly TokenSelector selector;
    private readonly GenerationRow text;
    private readonly List<long> history;

    public DecodingRow(CompletionJob job, ITokenizer tokenizer)
    {
        Job = job;
        this.tokenizer = tokenizer;
        settings = job.Settings;
        processors = settings.BuildProcessors(job.PromptIds.Length);
        selector = TokenSelector.FromSettings(settings);
        text = new GenerationRow("", job.PromptIds, settings);
        history = job.PromptIds.Select(t => (long)t).ToList();
    }

    public CompletionJob Job { get; }

    public int[] PromptIds => Job.PromptIds;

    /// <summary>This row's tokens inside the shared decoding state: the prompt, then each chosen token once fed back.</summary>
    public int CachedTokens { get; set; }

    /// <summary>The last chosen token: the input of this row's next step.</summary>
    public long NextInput => history[^1];

    /// <summary>Tokens this row may still choose (each but the last is fed back first).</summary>
    public int RemainingTokens => settings.MaxNewTokens - text.GeneratedCount;

    /// <summary>Whether this row's next token is the plain argmax of its logits (greedy, no processors, no logprobs), which
    /// the batch chooses for all such rows at once (<see cref="Take"/>) instead of row by row (<see cref="Choose"/>).</summary>
    public bool PlainGreedy => processors.Count == 0 && !settings.DoSample && settings.Logprobs == 0;

    /// <summary>Chooses the next token from <paramref name="logits"/> [1, V] (after this row's last token), then
    /// <see cref="Take"/>s it.</summary>
    public bool Choose(Tensor logits)
    {
        using var scope = torch.NewDisposeScope();
        var scores = processors.Count == 0
            ? logits
            : processors.Process(torch.tensor(history.ToArray()).view(1, -1), logits);
        var selection = selector.SelectValues(scores, logits);
        return Take(selection.Tokens[0], selection.LogProbs[0], selection.TopTokens, selection.TopLogProbs);
    }

    /// <summary>
    /// Takes the chosen <paramref name="token"/> (with its log-probability and top alternatives, when asked for) and sends
    /// its update; when the row ends (EOS, a stop sequence, max new tokens) also the final update. Returns whether it goes
    /// on.
    /// </summary>
    public bool Take(long token, double logprob = 0, long[]? topIds = null, double[]? topLogprobs = null)
    {
        history.Add(token);
        var piece = text.Accept((int)token, tokenizer) with
        {
            Logprob = settings.Logprobs > 0 ? logprob : null,
            Alternatives = GenerationRow.Alternatives(tokenizer, topIds, topLogprobs, 0, topIds?.Length ?? 0),
        };
        Job.Send(new CompletionUpdate(piece, null, PromptIds.Length, text.GeneratedCount));
        if (!text.Finished && text.GeneratedCount < settings.MaxNewTokens) return true;
        text.Finish("length");
        var rest = text.FlushText();
        Job.Send(new CompletionUpdate(rest.Length > 0 ? new GeneratedToken(0, -1, rest, null, []) : null, text.Reason,
            PromptIds.Length, text.GeneratedCount));
        return false;
    }

    public void Dispose() => selector.Dispose();
}
