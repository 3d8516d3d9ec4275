namespace Loom.IO;

/// <summary>
/// Writes files so that a reader sees either the old content or the new one, never a partial file:
/// the content goes to a temporary file in the same folder, is flushed, then renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>; with <paramref name="createMode"/> the file is
    /// created with those Unix permissions from the start (e.g. 0600 for a private key), never readable by others.
    /// </summary>
    public static void Write(string path, Action<Stream> write, UnixFileMode? createMode = null)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16,
            };
            if (createMode is { } mode && !OperatingSystem.IsWindows()) options.UnixCreateMode = mode;
            using (var stream = new FileStream(tmp, options))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp))
                File.Delete(tmp);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
            w.Write(text);
        });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }
}
