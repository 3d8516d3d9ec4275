using Loom.Training;
using TorchSharp;

namespace Loom.Tests.Support;

/// <summary>Live tensor count of the current thread (TorchSharp's dispose-scope statistics), for leak checks.</summary>
public static class TensorCounts
{
    public static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
}

/// <summary>Records the live tensor count each time the trainer reports progress (use LogEvery = 1 for every step).</summary>
public sealed class TensorCountRecorder(List<long> counts) : ITrainingProgress
{
    public void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta) => counts.Add(TensorCounts.Live);
}
