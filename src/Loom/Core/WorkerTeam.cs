using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Loom.Core;

/// <summary>One piece of work a <see cref="WorkerTeam"/> splits into parts; part <c>p</c> of <c>parts</c> runs on one thread.</summary>
internal interface ITeamWork
{
    void Execute(int part, int parts);
}

/// <summary>
/// A calling thread plus <see cref="Size"/> − 1 persistent workers that run the parts of one piece of work at a time,
/// for CPU kernels too small for a thread pool's wake-up cost: a fused decode step hands out about 25 pieces per token,
/// each a few tens of microseconds. Between pieces the workers spin for <see cref="SpinMicroseconds"/> (enough for the
/// gaps inside a step, short enough to leave the core to the engine, the JIT and finalizers between steps), then sleep on a
/// monitor until the next piece. Teams are rented (<see cref="Rent"/>) so concurrent decoders never share one.
/// </summary>
internal sealed class WorkerTeam
{
    private const int SpinMicroseconds = 50;
    private static readonly ConcurrentBag<WorkerTeam> Idle = [];
    private readonly object gate = new();
    private ITeamWork? work;
    private long generation;
    private int pending;
    private int sleeping;   // workers in, or about to enter, Monitor.Wait on the gate
    private Exception? failure;

    private WorkerTeam(int size)
    {
        Size = size;
        for (int part = 1; part < size; part++)
        {
            int p = part;
            new Thread(() => WorkerLoop(p)) { IsBackground = true, Name = $"loom-team-{p}" }.Start();
        }
    }

    /// <summary>Threads that run parts, the caller included.</summary>
    public int Size { get; }

    /// <summary>The number of parts a team splits work into: one per core, at most 8, or <c>LOOM_CPU_THREADS</c> when set.</summary>
    public static int DefaultSize { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("LOOM_CPU_THREADS"), out int n) && n > 0
            ? Math.Min(n, 64)
            : Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>An idle team of <see cref="DefaultSize"/> threads, or a new one.</summary>
    public static WorkerTeam Rent()
    {
        while (Idle.TryTake(out var team))
            if (team.Size == DefaultSize) return team;
        return new WorkerTeam(DefaultSize);
    }

    /// <summary>Gives a rented team back for the next caller.</summary>
    public static void Return(WorkerTeam team) => Idle.Add(team);

    /// <summary>Runs every part of <paramref name="piece"/>: part 0 on the calling thread, the others on the workers;
    /// returns when all are done. An exception in a worker's part is rethrown here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first token, not after tiering
    public void Run(ITeamWork piece)
    {
        if (Size == 1)
        {
            piece.Execute(0, 1);
            return;
        }
        work = piece;
        failure = null;
        Volatile.Write(ref pending, Size - 1);
        Interlocked.Increment(ref generation);
        // Only a sleeping worker needs the gate (a spinning one sees the generation): a lock and a pulse per piece cost
        // more than the piece whenever a waiter had to be signalled. Both sides use full fences (Interlocked) before
        // reading the other's field, so a worker that starts to sleep after this read sees the new generation.
        if (Volatile.Read(ref sleeping) != 0)
            lock (gate) Monitor.PulseAll(gate);
        piece.Execute(0, Size);
        var spin = new SpinWait();
        while (Volatile.Read(ref pending) != 0)
            spin.SpinOnce(sleep1Threshold: -1);
        work = null;
        if (failure is { } e) throw new AggregateException("a worker's part failed", e);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimized from the first token, not after tiering
    private void WorkerLoop(int part)
    {
        long seen = 0;
        while (true)
        {
            long started = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref generation) == seen)
            {
                if (Stopwatch.GetElapsedTime(started).TotalMicroseconds < SpinMicroseconds)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                lock (gate)
                {
                    Interlocked.Increment(ref sleeping);
                    while (Volatile.Read(ref generation) == seen)
                        Monitor.Wait(gate);
                    Interlocked.Decrement(ref sleeping);
                }
            }
            seen = Volatile.Read(ref generation);
            try
            {
                work!.Execute(part, Size);
            }
            catch (Exception e)
            {
                failure = e;
            }
            Interlocked.Decrement(ref pending);
        }
    }
}
