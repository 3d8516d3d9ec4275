using Spectre.Console;

namespace Loom.Cli;

/// <summary>
/// Progress for long work: a Spectre.Console bar on an interactive terminal, plain lines (at most one every few
/// seconds, plus the last) when output is redirected, so logs stay readable.
/// </summary>
public sealed class ConsoleProgress : IDisposable
{
    private readonly string title;
    private readonly TextWriter plain;
    private readonly bool interactive;
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private TimeSpan lastPrint = TimeSpan.FromDays(-1);
    private string lastStatus = "";
    private long lastDone;
    private long lastTotal;
    private long printedDone = -1;
    private TimeSpan? lastEta;

    public ConsoleProgress(string title, TextWriter plain, bool? interactive = null)
    {
        this.title = title;
        this.plain = plain;
        this.interactive = interactive ?? (!Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive);
    }

    /// <summary>
    /// Reports <paramref name="done"/> of <paramref name="total"/> units with a short status (loss, rate).
    /// <paramref name="eta"/> is the caller's estimate (the trainer's counts only this run's steps, not those restored by
    /// --resume); without one it is extrapolated from this object's clock.
    /// </summary>
    public void Report(long done, long total, string status, TimeSpan? eta = null)
    {
        lastEta = eta;
        lastDone = done;
        lastTotal = total;
        lastStatus = status;
        var now = clock.Elapsed;
        bool last = done >= total;
        if (!last && now - lastPrint < (interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5)))
            return;
        lastPrint = now;
        printedDone = done;
        var remaining = total <= done ? TimeSpan.Zero
            : eta ?? (done > 0 ? TimeSpan.FromSeconds(now.TotalSeconds / done * (total - done)) : TimeSpan.Zero);
        if (interactive)
        {
            int width = 30;
            int filled = total > 0 ? (int)(width * Math.Min(1.0, (double)done / total)) : 0;
            var bar = new string('━', filled) + new string('─', width - filled);
            AnsiConsole.Console.Write(new Markup(
                $"\r[bold]{Markup.Escape(title)}[/] [green]{bar}[/] {done}/{total} {Markup.Escape(status)} eta {remaining:mm\\:ss}   "));
            if (last) AnsiConsole.Console.WriteLine();
        }
        else
        {
            plain.WriteLine($"{title}: {done}/{total} {status} elapsed {now:hh\\:mm\\:ss} eta {remaining:hh\\:mm\\:ss}");
        }
    }

    /// <summary>Prints the last reported state if it was throttled away (e.g. EM converged before max-iter).</summary>
    public void Dispose()
    {
        if (printedDone != lastDone && lastTotal > 0)
        {
            lastPrint = TimeSpan.FromDays(-1);
            Report(lastDone, lastTotal, lastStatus, lastEta);
        }
        if (interactive && lastDone < lastTotal)
            AnsiConsole.Console.WriteLine();
    }
}
