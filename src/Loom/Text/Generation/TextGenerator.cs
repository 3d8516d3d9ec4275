using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Loom.Core;
using Loom.Models.Language;
using Loom.Text.Decoding;
using Loom.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Generation;

/// <summary>
/// The decoding engine shared by <c>loom sample</c>, <c>loom chat</c> and the server: batched generation with left
/// padding and attention masks over any <see cref="ICausalLanguageModel"/>, a KV cache (or recurrent state) filled by
/// one prefill pass and one token per step, the logits-processor chain and token selection of
/// <see cref="GenerationSettings"/>, EOS and stop sequences, and streaming that never splits a UTF-8 character.
/// When prompt + new tokens exceed the model's context, it keeps the cache while it fits and then recomputes on the
/// last context-length tokens (nanoGPT's cropping).
/// Dispose scopes never span a <c>yield</c>: each step's tensors live in one scope that closes before the step's
/// tokens are handed out; only the cache and managed arrays persist.
/// With a <see cref="Draft"/> it decodes speculatively (<see cref="SpeculativeDecoding"/>): prompts one after another,
/// each output reporting <see cref="GenerationOutput.Speculation"/>.
/// </summary>
public sealed class TextGenerator(ICausalLanguageModel model, ITokenizer tokenizer, int startTokenId)
{
    /// <summary>Use the KV cache / recurrent state (false recomputes every step; for checks and benchmarks).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>A draft model for speculative decoding; null decodes with the model alone. Beam search refuses it.</summary>
    public SpeculativeDraft? Draft { get; init; }

    /// <summary>This generator with <paramref name="draft"/> as its draft (null: none).</summary>
    public TextGenerator WithDraft(SpeculativeDraft? draft)
    {
        draft?.Validate(model, tokenizer);
        return new TextGenerator(model, tokenizer, startTokenId) { UseCache = UseCache, Draft = draft };
    }

    public ICausalLanguageModel Model => model;
    public ITokenizer Tokenizer => tokenizer;

    /// <summary>The token an empty prompt starts from.</summary>
    public int StartTokenId => startTokenId;

    /// <summary>Generates a continuation of each prompt (batched); beam search when <c>num_beams</c> &gt; 1.</summary>
    public IReadOnlyList<GenerationOutput> Generate(IReadOnlyList<string> prompts, GenerationSettings settings,
        CancellationToken cancellation = default) =>
        Generate(prompts.Select(p => (p, Encode(p))).ToList(), settings, cancellation);

    /// <summary>
    /// Generates a continuation of each prompt given as token ids (a model folder without a tokenizer takes only these);
    /// an output's <see cref="GenerationOutput.Prompt"/> is the decoded prompt.
    /// </summary>
    public IReadOnlyList<GenerationOutput> Generate(IReadOnlyList<IReadOnlyList<int>> promptIds, GenerationSettings settings,
        CancellationToken cancellation = default) =>
        Generate(promptIds.Select(ids => (tokenizer.Decode(ids), CheckIds(ids))).ToList(), settings, cancellation);

    /// <summary>Streams tokens of all prompts as they are chosen (row by row within a step).</summary>
    public IEnumerable<GeneratedToken> Stream(IReadOnlyList<string> prompts, GenerationSettings settings,
        CancellationToken cancellation = default) =>
        Stream(prompts.Select(p => (p, Encode(p))).ToList(), settings, cancellation);

    /// <summary>Streams the continuations of prompts given as token ids.</summary>
    public IEnumerable<GeneratedToken> Stream(IReadOnlyList<IReadOnlyList<int>> promptIds, GenerationSettings settings,
        CancellationToken cancellation = default) =>
        Stream(promptIds.Select(ids => (tokenizer.Decode(ids), CheckIds(ids))).ToList(), settings, cancellation);

    private IReadOnlyList<GenerationOutput> Generate(IReadOnlyList<(string Text, int[] Ids)> prompts, GenerationSettings settings,
        CancellationToken cancellation)
    {
        settings.Validate();
        CheckDraft(settings);
        if (settings.NumBeams > 1)
            return prompts.Select(p => BeamGenerate(p.Text, p.Ids, settings)).ToList();
        var rows = prompts.Select(p => new GenerationRow(p.Text, p.Ids, settings)).ToArray();
        foreach (var token in Run(rows, settings, cancellation))
            rows[token.Row].Tokens.Add(token);
        return rows.Select(r => r.ToOutput()).ToList();
    }

    private IEnumerable<GeneratedToken> Stream(IReadOnlyList<(string Text, int[] Ids)> prompts, GenerationSettings settings,
        CancellationToken cancellation)
    {
        settings.Validate();
        CheckDraft(settings);
        if (settings.NumBeams > 1)
            throw LoomUsageException.ForOption("Beams", "beam search returns whole sequences; it cannot stream");
        var rows = prompts.Select(p => new GenerationRow(p.Text, p.Ids, settings)).ToArray();
        return Run(rows, settings, cancellation);
    }

    /// <summary>Prompt ids as an array, each inside the model's vocabulary; an empty prompt starts from the start token.</summary>
    internal int[] CheckIds(IReadOnlyList<int> ids)
    {
        foreach (var id in ids)
            if (id < 0 || id >= model.VocabSize)
                throw LoomUsageException.ForOption("PromptIds", $"token id {id} is outside the vocabulary [0, {model.VocabSize})");
        return ids.Count == 0 ? [startTokenId] : ids.ToArray();
    }

    /// <summary>
    /// Streams one prompt's tokens as an async sequence. The model runs on a dedicated thread (dispose scopes are
    /// thread-static), so the caller may await freely; cancelling stops generation after the current step, and no token
    /// is handed out after the cancel.
    /// </summary>
    public async IAsyncEnumerable<GeneratedToken> StreamAsync(string prompt, GenerationSettings settings,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        settings = settings.Clone();
        var channel = Channel.CreateBounded<GeneratedToken>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        // The worker stops when the caller cancels or stops reading, and the caller waits for it before returning, so
        // the model is never disposed under a running forward pass.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = new Thread(() =>
        {
            try
            {
                foreach (var token in Stream([prompt], settings, stop.Token))
                    if (!channel.Writer.TryWrite(token))
                        channel.Writer.WriteAsync(token, stop.Token).AsTask().GetAwaiter().GetResult();
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e is OperationCanceledException ? null : e);
            }
            finally
            {
                finished.TrySetResult();
            }
        })
        { IsBackground = true, Name = "loom-generate" };
        worker.Start();
        try
        {
            await foreach (var token in channel.Reader.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                // ReadAllAsync hands out what is already buffered without looking at the token: after a cancel the
                // caller gets no further token, however far the worker ran ahead.
                cancellation.ThrowIfCancellationRequested();
                yield return token;
            }
        }
        finally
        {
            stop.Cancel();
            await finished.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Refuses a draft with settings speculative decoding cannot keep exact.</summary>
    private void CheckDraft(GenerationSettings settings)
    {
        if (Draft is null) return;
        Draft.Validate(model, tokenizer);
        if (settings.NumBeams > 1)
            throw LoomUsageException.ForOption("NumBeams", "beam search cannot be combined with speculative decoding (Draft); "
                + "use greedy or sampling");
    }

    private IEnumerable<GeneratedToken> Run(GenerationRow[] rows, GenerationSettings settings, CancellationToken cancellation) =>
        Draft is null ? RunPlain(rows, settings, cancellation) : RunSpeculative(rows, settings, cancellation);

    private IEnumerable<GeneratedToken> RunSpeculative(GenerationRow[] rows, GenerationSettings settings, CancellationToken cancellation)
    {
        var decoding = new SpeculativeDecoding(model, Draft!, tokenizer, settings);
        for (int b = 0; b < rows.Length; b++)
            foreach (var token in decoding.Run(rows[b], b, cancellation))
                yield return token;
    }

    private IEnumerable<GeneratedToken> RunPlain(GenerationRow[] rows, GenerationSettings settings, CancellationToken cancellation)
    {
        if (rows.Length == 0) yield break;
        var prompts = rows.Select(r => r.PromptIds).ToArray();
        int promptLength = prompts.Max(p => p.Length);
        int batch = rows.Length;
        // Left padding: row b is [pad … pad, prompt tokens], its mask [0 … 0, 1 … 1].
        var ids = new List<long>[batch];
        var mask = new List<long>[batch];
        for (int b = 0; b < batch; b++)
        {
            int pad = promptLength - prompts[b].Length;
            ids[b] = [.. Enumerable.Repeat((long)startTokenId, pad), .. prompts[b].Select(t => (long)t)];
            mask[b] = [.. Enumerable.Repeat(0L, pad), .. Enumerable.Repeat(1L, prompts[b].Length)];
        }
        int context = model.MaxSequenceLength;
        // Processors read history (penalties, n-gram bans, min tokens). A padded batch runs them row by row on each row's
        // own tokens, so padding never counts as history and batched output equals unbatched.
        bool padded = prompts.Any(p => p.Length != promptLength);
        var processors = padded ? null : settings.BuildProcessors(promptLength);
        var rowProcessors = padded ? prompts.Select(p => settings.BuildProcessors(p.Length)).ToArray() : null;
        using var selector = TokenSelector.FromSettings(settings);
        int capacity = (int)Math.Min(context, (long)promptLength + settings.MaxNewTokens);
        bool onCpu = model is not nn.Module module || module.parameters().FirstOrDefault()?.device_type is null or DeviceType.CPU;
        IDecoderState? state = UseCache ? model.CreateState(batch, capacity) : null;
        try
        {
            int fed = 0;   // tokens of ids already inside the state
            for (int step = 0; step < settings.MaxNewTokens; step++)
            {
                if (cancellation.IsCancellationRequested)
                {
                    foreach (var r in rows.Where(r => !r.Finished)) r.Finish("cancelled");
                    break;
                }
                int total = ids[0].Count;
                if (state is not null && total > capacity)
                {
                    state.Dispose();   // past the context: recompute on cropped windows from here on
                    state = null;
                }
                long[] chosen;
                double[] logprobs;
                long[]? topIds;
                double[]? topLogprobs;
                int alternatives;
                using (var scope = torch.NewDisposeScope())
                {
                    using var noGrad = torch.no_grad();
                    // One row: a step is a few hundred small kernels, where a second OpenMP thread costs more than it brings.
                    using var threads = batch == 1 && onCpu ? SingleThreadScope.Enter() : default;
                    Tensor logits;
                    if (state is not null)
                    {
                        var newTokens = Matrix(ids, fed, total - fed);
                        logits = model.Forward(newTokens, padded ? Matrix(mask, 0, total) : null, state);
                        fed = total;
                    }
                    else
                    {
                        int start = Math.Max(0, total - context);
                        logits = model.Forward(Matrix(ids, start, total - start), padded ? Matrix(mask, start, total - start) : null);
                    }
                    var last = logits.select(1, logits.shape[1] - 1).to(ScalarType.Float32).cpu();
                    var scores = processors is not null
                        ? processors.Count == 0 ? last : processors.Process(Matrix(ids, 0, total), last)
                        : torch.cat(Enumerable.Range(0, batch).Select(b =>
                        {
                            int pad = promptLength - prompts[b].Length;
                            return rowProcessors![b].Process(Matrix([ids[b]], pad, total - pad), last.narrow(0, b, 1));
                        }).ToList(), 0);
                    var selection = selector.SelectValues(scores, last);
                    (chosen, logprobs, topIds, topLogprobs, alternatives) = selection;
                }
                for (int b = 0; b < batch; b++)
                {
                    var row = rows[b];
                    long token = row.Finished ? startTokenId : chosen[b];
                    ids[b].Add(token);
                    mask[b].Add(1);
                    if (row.Finished) continue;
                    yield return row.Accept((int)token, tokenizer) with
                    {
                        Row = b,
                        Logprob = settings.Logprobs > 0 ? logprobs[b] : null,
                        Alternatives = GenerationRow.Alternatives(tokenizer, topIds, topLogprobs, b, alternatives),
                    };
                }
                if (rows.All(r => r.Finished)) break;
            }
            foreach (var row in rows.Where(r => !r.Finished))
                row.Finish("length");
            for (int b = 0; b < batch; b++)
                if (rows[b].FlushText() is { Length: > 0 } rest)
                    yield return new GeneratedToken(b, -1, rest, null, []);
        }
        finally
        {
            state?.Dispose();
        }
    }

    private GenerationOutput BeamGenerate(string prompt, int[] tokens, GenerationSettings settings)
    {
        using var scope = torch.NewDisposeScope();
        var promptIds = torch.tensor(tokens.Select(t => (long)t).ToArray()).view(1, -1);
        var search = BeamSearch.FromSettings(settings, tokens.Length);
        var result = search.Run(promptIds, ids =>
        {
            using var inner = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            int start = (int)Math.Max(0, ids.shape[1] - model.MaxSequenceLength);
            var logits = model.Forward(ids.narrow(1, start, ids.shape[1] - start));
            return logits.select(1, logits.shape[1] - 1).to(ScalarType.Float32).cpu().log_softmax(-1).MoveToOuterDisposeScope();
        });
        var best = result.Best();
        var generated = best.Tokens.Select(t => (int)t).ToList();
        string reason = best.Finished ? "eos" : "length";
        var visible = reason == "eos" ? generated[..^1] : generated;
        var text = tokenizer.Decode(visible, skipSpecial: true);
        var matcher = new StopSequenceMatcher(settings.Stop);
        var shown = matcher.Push(text) + matcher.Flush();
        return new GenerationOutput(prompt, shown, generated, matcher.Stopped ? "stop" : reason, []);
    }

    private int[] Encode(string prompt)
    {
        var tokens = string.IsNullOrEmpty(prompt) ? [] : tokenizer.Encode(prompt);
        return tokens.Length == 0 ? [startTokenId] : tokens;
    }

    private static Tensor Matrix(List<long>[] rows, int start, int count)
    {
        var data = new long[rows.Length * count];
        for (int b = 0; b < rows.Length; b++)
            rows[b].CopyTo(start, data, b * count, count);
        return torch.tensor(data).view(rows.Length, count);
    }
}
