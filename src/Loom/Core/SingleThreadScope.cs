using TorchSharp;

namespace Loom.Core;

/// <summary>
/// Runs a block with one libtorch intra-op thread and restores the previous count on dispose. The HMM time loops
/// are thousands of ops on tensors of a few hundred elements, where waking a second OpenMP thread costs more than
/// the op itself (measured 2-3x per step on a 2-core machine, far worse when the cores are busy); Baum-Welch runs
/// entirely inside one such scope, and so does each step of a batch-1 decode on the CPU (about 25% more tokens/s
/// with the shakespeare-char transformer on 2 cores; from batch 8 two threads win). The thread count is process-wide,
/// so this briefly affects other libtorch work running concurrently in the same process (speed only, never results).
/// </summary>
internal readonly struct SingleThreadScope : IDisposable
{
    private readonly int previous;

    private SingleThreadScope(int previous) => this.previous = previous;

    public static SingleThreadScope Enter()
    {
        int previous = torch.get_num_threads();
        if (previous != 1)
            torch.set_num_threads(1);
        return new SingleThreadScope(previous);
    }

    public void Dispose()
    {
        if (previous > 1)
            torch.set_num_threads(previous);
    }
}
