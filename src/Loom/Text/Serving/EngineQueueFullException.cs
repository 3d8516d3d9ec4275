using Loom.Core;

namespace Loom.Text.Serving;

/// <summary>The engine's queue holds its limit of waiting requests; try again later (a server answers 429).</summary>
public sealed class EngineQueueFullException(int queueLimit)
    : LoomException($"the request queue is full ({queueLimit} waiting); try again later")
{
    public int QueueLimit { get; } = queueLimit;
}
