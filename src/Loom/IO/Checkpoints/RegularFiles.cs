using System.Runtime.InteropServices;
using Loom.Core;

namespace Loom.IO.Checkpoints;

/// <summary>
/// Refuses paths that are not plain files before anything opens them: a FIFO would block a reader forever, a device
/// or socket is never a checkpoint file.
/// </summary>
public static class RegularFiles
{
    /// <summary>Throws naming <paramref name="path"/> when it is missing or not a regular file (symlinks are followed).</summary>
    public static void Require(string path)
    {
        if (Directory.Exists(path))
            throw new LoomDataException($"{path}: is a folder, not a file");
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: missing");
        if (!OperatingSystem.IsWindows() && !IsRegular(path))
            throw new LoomDataException($"{path}: is not a regular file (a pipe, socket or device); refusing to read it");
    }

    private static bool IsRegular(string path)
    {
        // stat(2) through libc: st_mode's file type bits (S_IFMT 0170000) must be S_IFREG (0100000).
        var buffer = new byte[256];
        if (Stat(path, buffer) != 0)
            throw new LoomDataException($"{path}: cannot be read (a link to nothing, or no permission)");
        uint mode = BitConverter.ToUInt32(buffer, 24);   // x86-64 / aarch64 glibc: st_mode at offset 24 / 16
        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
            mode = BitConverter.ToUInt32(buffer, 16);
        return (mode & 0xF000) == 0x8000;
    }

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
