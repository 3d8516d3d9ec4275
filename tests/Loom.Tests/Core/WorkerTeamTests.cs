using Loom.Core;

namespace Loom.Tests.Core;

/// <summary>The worker team behind the fused decode step: every part of every piece runs exactly once, on distinct threads
/// at the same time, and a failing part's exception reaches the caller.</summary>
public sealed class WorkerTeamTests
{
    private sealed class CountingWork(int parts) : ITeamWork
    {
        public readonly int[] Runs = new int[parts];
        public readonly int[] Threads = new int[parts];

        public void Execute(int part, int parts)
        {
            Interlocked.Increment(ref Runs[part]);
            Threads[part] = Environment.CurrentManagedThreadId;
        }
    }

    private sealed class FailingWork : ITeamWork
    {
        public void Execute(int part, int parts)
        {
            if (part == parts - 1) throw new InvalidOperationException("part failed");
        }
    }

    [Fact]
    public void Every_part_runs_once_per_piece_on_its_own_thread()
    {
        var team = WorkerTeam.Rent();
        try
        {
            var work = new CountingWork(team.Size);
            for (int i = 0; i < 500; i++) team.Run(work);
            Assert.All(work.Runs, runs => Assert.Equal(500, runs));
            Assert.Equal(team.Size, work.Threads.Distinct().Count());
            Assert.Equal(Environment.CurrentManagedThreadId, work.Threads[0]);
        }
        finally
        {
            WorkerTeam.Return(team);
        }
    }

    [Fact]
    public async Task Workers_that_fell_asleep_between_pieces_are_woken_for_the_next()
    {
        var team = WorkerTeam.Rent();
        try
        {
            var work = new CountingWork(team.Size);
            // Pauses longer than the workers' spin put them to sleep; a lost wake-up would leave Run spinning for ever.
            var runs = Task.Run(() =>
            {
                for (int i = 0; i < 40; i++)
                {
                    team.Run(work);
                    Thread.Sleep(i % 2 == 0 ? 2 : 0);
                }
            });
            await runs.WaitAsync(TimeSpan.FromSeconds(60));   // TimeoutException: a sleeping worker was never woken
            Assert.All(work.Runs, count => Assert.Equal(40, count));
        }
        finally
        {
            WorkerTeam.Return(team);
        }
    }

    [Fact]
    public void A_failing_part_is_rethrown_to_the_caller_and_the_team_keeps_working()
    {
        var team = WorkerTeam.Rent();
        try
        {
            Assert.ThrowsAny<Exception>(() => team.Run(new FailingWork()));
            var work = new CountingWork(team.Size);
            team.Run(work);
            Assert.All(work.Runs, runs => Assert.Equal(1, runs));
        }
        finally
        {
            WorkerTeam.Return(team);
        }
    }
}
