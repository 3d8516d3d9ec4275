using Loom.Data;

namespace Loom.Cli;

/// <summary>Shows data set downloads on standard error: one <see cref="ConsoleProgress"/> bar (or plain lines) per file, in KiB.</summary>
public sealed class DownloadProgressPrinter(TextWriter error) : IProgress<DownloadProgress>
{
    private ConsoleProgress? current;
    private string? currentFile;

    public void Report(DownloadProgress value)
    {
        var key = value.DataSet + "/" + value.FileName;
        if (key != currentFile)
        {
            current?.Dispose();
            current = new ConsoleProgress($"downloading {key}", error);
            currentFile = key;
        }
        long total = value.BytesTotal ?? Math.Max(value.BytesDone, 1);
        current!.Report(value.BytesDone >> 10, Math.Max(total >> 10, 1), "KiB");
        if (value.BytesTotal is { } t && value.BytesDone >= t)
        {
            current.Dispose();
            current = null;
            currentFile = null;
        }
    }
}
