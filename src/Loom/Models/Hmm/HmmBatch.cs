using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>
/// Sequences padded into one time-major batch: observations <c>[T, N]</c> (symbols) or <c>[T, N, D]</c>
/// (vectors), a validity mask <c>[T, N]</c>, and per-sequence lengths. Padding steps hold symbol 0 / zero vectors;
/// the forward-backward recursions carry messages across them unchanged and give them zero posterior weight.
/// </summary>
internal sealed class HmmBatch : IDisposable
{
    private HmmBatch(Tensor observations, Tensor mask, long[] lengths, int[] indices)
    {
        Indices = indices;
        Observations = observations;
        Mask = mask;
        Lengths = lengths;
        MinLength = lengths.Min();
        MaxLength = lengths.Max();
    }

    public Tensor Observations { get; }

    /// <summary><c>[T, N]</c> bool: step t of sequence n is real.</summary>
    public Tensor Mask { get; }

    public long[] Lengths { get; }

    /// <summary>Position of each batch column in the caller's sequence list.</summary>
    public int[] Indices { get; }

    public long MinLength { get; }

    public long MaxLength { get; }

    public int Count => Lengths.Length;

    public long Steps => Lengths.Sum();

    /// <summary>Pads already-prepared sequences (long <c>[T]</c> or float64 <c>[T, D]</c>); the batch owns the result.</summary>
    public static HmmBatch Pad(IReadOnlyList<Tensor> sequences, int[]? indices = null)
    {
        using var scope = NewDisposeScope();
        var lengths = sequences.Select(s => s.shape[0]).ToArray();
        var padded = nn.utils.rnn.pad_sequence(sequences, batch_first: false);   // [T, N] or [T, N, D]
        var steps = arange(lengths.Max(), dtype: ScalarType.Int64).unsqueeze(1);
        var mask = steps < tensor(lengths).unsqueeze(0);
        return new HmmBatch(padded.contiguous().DetachFromDisposeScope(), mask.DetachFromDisposeScope(), lengths,
            indices ?? Enumerable.Range(0, sequences.Count).ToArray());
    }

    /// <summary>Padded steps per batch for <paramref name="states"/> states, keeping the <c>[T, N, K, K]</c> transition posteriors near 64
    /// MiB.</summary>
    public static long CellBudget(int states) => Math.Max(4096, (1L << 23) / ((long)states * states));

    /// <summary>Groups sequences into batches of similar length whose padded size stays under <paramref name="maxCells"/> steps.</summary>
    public static List<HmmBatch> PadInGroups(IReadOnlyList<Tensor> sequences, long maxCells = 1 << 18)
    {
        var order = Enumerable.Range(0, sequences.Count).OrderByDescending(i => sequences[i].shape[0]).ToList();
        var batches = new List<HmmBatch>();
        var group = new List<Tensor>();
        var groupIndices = new List<int>();
        long groupMax = 0;
        foreach (var i in order)
        {
            long len = sequences[i].shape[0];
            if (group.Count > 0 && Math.Max(groupMax, len) * (group.Count + 1) > maxCells)
            {
                batches.Add(Pad(group, groupIndices.ToArray()));
                group.Clear();
                groupIndices.Clear();
                groupMax = 0;
            }
            group.Add(sequences[i]);
            groupIndices.Add(i);
            groupMax = Math.Max(groupMax, len);
        }
        if (group.Count > 0)
            batches.Add(Pad(group, groupIndices.ToArray()));
        return batches;
    }

    public void Dispose()
    {
        Observations.Dispose();
        Mask.Dispose();
    }
}
