using TorchSharp;

namespace Loom.Tests.Support;

/// <summary>Live tensor count of the current thread (TorchSharp's dispose-scope statistics), for leak checks.</summary>
public static class TensorCounts
{
    public static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
}
