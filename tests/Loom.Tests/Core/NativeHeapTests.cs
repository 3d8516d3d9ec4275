using System.Runtime.InteropServices;
using Loom.Core;
using TorchSharp;

namespace Loom.Tests.Core;

/// <summary>
/// <see cref="NativeHeap"/>: on glibc, a tensor between glibc's default mmap ceiling (32 MB) and a non-main arena's heap
/// size (64 MB) comes from the heap, not from a fresh mapping, so its pages are not faulted in again on every allocation.
/// </summary>
public class NativeHeapTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc.so.6")]
    private static extern MallInfo2 mallinfo2();

    [Fact]
    public void LargeTensorsComeFromTheHeapNotFromFreshMappings()
    {
        if (!OperatingSystem.IsLinux()
            || Environment.GetEnvironmentVariable("LOOM_NATIVE_HEAP") is not null
            || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null)
            return;   // the suite runs on glibc Linux; these settings turn the behaviour off on purpose
        Assert.True(NativeHeap.LargeBlocksKept);
        const long floats = 10_000_000;   // 40 MB: above glibc's default ceiling, mapped afresh without the setting
        nuint mappedBefore = mallinfo2().Hblkhd;
        using (var big = torch.ones(floats))
        {
            nuint mappedDuring = mallinfo2().Hblkhd;
            Assert.True(mappedDuring < mappedBefore + (nuint)(floats * 4 / 2),
                $"a 40 MB tensor was mapped separately ({mappedBefore} → {mappedDuring} bytes in mappings)");
            Assert.Equal(floats, big.sum().item<float>());
        }
    }
}
