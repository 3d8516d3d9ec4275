using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Loom.Core;

/// <summary>
/// Keeps large freed native blocks (tensor storage) in the process heap instead of handing them back to the kernel.
/// </summary>
/// <remarks>
/// glibc serves every allocation above 32 MB with a fresh <c>mmap</c> and unmaps it on free, so a loop that makes a
/// 50 MB temporary per iteration page-faults all of it in again each time. On the development VM a page fault costs about
/// 8 µs, which made a Gaussian-mixture E-step over 100,000 × 64 values 18× slower than the arithmetic (322 ms instead of
/// 18 ms; docs/benchmarks.md). Loom raises glibc's mmap and trim thresholds to 1 GB when its assembly loads, so such
/// blocks are reused from the heap. The cost: memory freed below 1 GB stays with the process until it exits instead of
/// returning to the system. Set <c>LOOM_NATIVE_HEAP=system</c> to keep glibc's defaults; a process that sets glibc's own
/// <c>MALLOC_MMAP_THRESHOLD_</c> or <c>MALLOC_TRIM_THRESHOLD_</c> is left alone. Other C libraries and systems: no-op.
/// </remarks>
public static partial class NativeHeap
{
    private const int MmapThreshold = -3;   // M_MMAP_THRESHOLD in malloc.h
    private const int TrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int LargeBlockBytes = 1 << 30;

    /// <summary>Whether Loom changed the C library's thresholds in this process.</summary>
    public static bool LargeBlocksKept { get; private set; }

#pragma warning disable CA2255 // a library module initializer: the setting must precede the first tensor a user allocates
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void KeepLargeBlocksOnLoad() => LargeBlocksKept = TryKeepLargeBlocks();

    private static bool TryKeepLargeBlocks()
    {
        if (!OperatingSystem.IsLinux()
            || string.Equals(Environment.GetEnvironmentVariable("LOOM_NATIVE_HEAP"), "system", StringComparison.OrdinalIgnoreCase)
            || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null)
            return false;
        try
        {
            return mallopt(MmapThreshold, LargeBlockBytes) == 1 && mallopt(TrimThreshold, LargeBlockBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;   // not glibc
        }
    }

    [LibraryImport("libc.so.6")]
    private static partial int mallopt(int param, int value);
}
