using Loom.Core;
using Loom.Models.Language;
using Loom.Text.Decoding;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Serving;

/// <summary>
/// The rows decoding together and the one decoding state they share. A request joins between steps: its prompt runs
/// alone (prefill), then its state is spliced into the next free row, right-aligned to the shared length with left
/// padding that the attention mask hides (the transformer derives position ids from that mask, so the row computes what
/// it would alone). A row that ends leaves: the last row moves into its place, so rows [0, count) are always the ones in
/// use and a step runs on exactly those. When the columns run out, leading columns that are padding in every row are
/// dropped, or the state is rebuilt larger (at most the model's context; requests never need more, see
/// <see cref="ContinuousBatchingEngine"/>). Worker-thread only.
/// </summary>
internal sealed class DecodingBatch(ICausalLanguageModel model, int maxRows) : IDisposable
{
    private const int FirstRowCapacity = 4;
    private const int MinCapacity = 32;
    private readonly List<DecodingRow> rows = [];
    private readonly TokenSelector greedy = new(doSample: false);
    private ISpliceableDecoderState? state;

    public IReadOnlyList<DecodingRow> Rows => rows;
    public int FreeRows => maxRows - rows.Count;

    /// <summary>
    /// Runs <paramref name="row"/>'s prompt alone, chooses its first token and, unless that ended it, splices it into a free
    /// row. Returns whether the row joined.
    /// </summary>
    public bool Join(DecodingRow row)
    {
        var prompt = row.PromptIds;
        using var prefilled = Spliceable(model.CreateState(1, prompt.Length));
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var logits = model.Forward(torch.tensor(prompt.Select(t => (long)t).ToArray()).view(1, -1), null, prefilled);
            var last = logits.select(1, logits.shape[1] - 1).to(ScalarType.Float32).cpu();
            row.CachedTokens = prompt.Length;
            if (!row.Choose(last)) return false;
        }
        state ??= Spliceable(model.CreateState(Math.Min(maxRows, FirstRowCapacity), CapacityFor(prompt.Length + row.RemainingTokens)));
        if (rows.Count == state.RowCapacity)
            Rebuild(Math.Min(maxRows, 2 * state.RowCapacity), state.Capacity, state.Length);
        if (prompt.Length > state.Capacity)
            Rebuild(state.RowCapacity, CapacityFor(prompt.Length + row.RemainingTokens), prompt.Length);
        else if (prompt.Length > state.Length)
            state.PadLeft(prompt.Length - state.Length);
        state.UseRows(rows.Count + 1);
        state.SpliceRow(rows.Count, prefilled, 0, prompt.Length);
        rows.Add(row);
        return true;
    }

    /// <summary>
    /// One decoding step of every row: feeds each row's last token, chooses and sends its next one. Returns the rows that
    /// ended (still in the batch; <see cref="Remove"/> them), each with the error that ended it, if any.
    /// </summary>
    public List<(DecodingRow Row, Exception? Error)> Step()
    {
        MakeRoomForOneColumn(state ?? throw new InvalidOperationException("a step needs rows"));
        var shared = state;   // possibly rebuilt
        int count = rows.Count, columns = shared.Length + 1;
        var ended = new List<(DecodingRow, Exception?)>();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var tokens = torch.tensor(rows.Select(r => r.NextInput).ToArray()).view(count, 1);
        var logits = model.Forward(tokens, rows.All(r => r.CachedTokens == shared.Length) ? null : Mask(columns), shared);
        var last = logits.select(1, 0).to(ScalarType.Float32).cpu();
        var plain = Enumerable.Range(0, count).Where(i => rows[i].PlainGreedy).ToArray();
        var argmax = new Dictionary<int, long>();
        if (plain.Length > 0)
        {
            using var selection = greedy.Select(last.index_select(0, torch.tensor(plain.Select(i => (long)i).ToArray())));
            var chosen = selection.Tokens.data<long>().ToArray();
            for (int j = 0; j < plain.Length; j++) argmax[plain[j]] = chosen[j];
        }
        for (int i = 0; i < count; i++)
        {
            rows[i].CachedTokens++;
            try
            {
                bool goesOn = argmax.TryGetValue(i, out long token) ? rows[i].Take(token) : rows[i].Choose(last.narrow(0, i, 1));
                if (!goesOn) ended.Add((rows[i], null));
            }
            catch (Exception e)   // this row's processors or selector failed (e.g. every token removed); the others go on
            {
                ended.Add((rows[i], e));
            }
        }
        return ended;
    }

    /// <summary>Frees <paramref name="row"/>'s row: the last row moves into it. An empty batch lets go of its state.</summary>
    public void Remove(DecodingRow row)
    {
        int index = rows.IndexOf(row), last = rows.Count - 1;
        if (index < 0) return;
        if (index != last)
            state!.SpliceRow(index, state, last, rows[last].CachedTokens);
        rows[index] = rows[last];
        rows.RemoveAt(last);
        state!.UseRows(rows.Count);
        if (rows.Count == 0) DisposeState();
    }

    /// <summary>Takes every row out at once (after a failed step, whose state may be half written) and lets go of the
    /// state.</summary>
    public List<DecodingRow> Clear()
    {
        var all = rows.ToList();
        rows.Clear();
        DisposeState();
        return all;
    }

    public void Dispose()
    {
        DisposeState();
        greedy.Dispose();
    }

    private void DisposeState()
    {
        state?.Dispose();
        state = null;
    }

    /// <summary>Makes room for one more column: drops shared padding when that frees enough (or growing is impossible),
    /// otherwise rebuilds with twice the columns, dropping the shared padding on the way.</summary>
    private void MakeRoomForOneColumn(ISpliceableDecoderState shared)
    {
        if (shared.Length < shared.Capacity) return;
        int padding = rows.Min(r => shared.Length - r.CachedTokens);
        bool canGrow = shared.Capacity < model.MaxSequenceLength;
        if (padding > 0 && (padding >= shared.Capacity / 4 || !canGrow))
            shared.DropLeadingColumns(padding);
        else if (canGrow)
            Rebuild(shared.RowCapacity, CapacityFor(shared.Capacity + 1), shared.Length - padding);
        else
            throw new LoomUsageException($"the batch's rows need more than the model's context of {model.MaxSequenceLength}");
    }

    /// <summary>Moves every row into a new state of <paramref name="rowCapacity"/> rows and <paramref name="capacity"/>
    /// columns, filled to <paramref name="length"/> (at least the longest row).</summary>
    private void Rebuild(int rowCapacity, int capacity, int length)
    {
        var old = state!;
        var rebuilt = Spliceable(model.CreateState(rowCapacity, capacity));
        try
        {
            rebuilt.PadLeft(length);
            rebuilt.UseRows(rows.Count);
            for (int i = 0; i < rows.Count; i++)
                rebuilt.SpliceRow(i, old, i, rows[i].CachedTokens);
        }
        catch
        {
            rebuilt.Dispose();
            throw;
        }
        old.Dispose();
        state = rebuilt;
    }

    /// <summary>Room for <paramref name="tokens"/>: the next power of two (at least <see cref="MinCapacity"/>), at most the
    /// model's context.</summary>
    private int CapacityFor(int tokens) =>
        (int)Math.Min(model.MaxSequenceLength, Math.Max(MinCapacity, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)tokens)));

    /// <summary>The attention mask [rows, <paramref name="columns"/>]: each row's tokens are its last columns, padding
    /// before them 0.</summary>
    private Tensor Mask(int columns)
    {
        var mask = new long[rows.Count * columns];
        for (int i = 0; i < rows.Count; i++)
            Array.Fill(mask, 1L, i * columns + columns - (rows[i].CachedTokens + 1), rows[i].CachedTokens + 1);
        return torch.tensor(mask).view(rows.Count, columns);
    }

    private static ISpliceableDecoderState Spliceable(IDecoderState created)
    {
        if (created is ISpliceableDecoderState spliceable) return spliceable;
        created.Dispose();
        throw new LoomUsageException($"continuous batching: a {created.GetType().Name} cannot splice rows; serve this model with "
            + "TextGenerator instead");
    }
}
