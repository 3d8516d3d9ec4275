using System.Runtime.InteropServices;
using TorchSharp;

namespace Loom.Core;

/// <summary>
/// Loads libtorch through TorchSharp once, turning a load failure into one clear line, and reports the native
/// setup for <c>loom doctor</c>.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadError = new(TryLoad);
    private static bool? cudaAvailable;

    /// <summary>Throws a <see cref="LoomException"/> if libtorch cannot be loaded.</summary>
    public static void EnsureLoaded()
    {
        if (LoadError.Value is { } error)
            throw new LoomException(
                $"libtorch could not be loaded ({FirstLine(error)}); run 'loom doctor' and see README.md 'Native setup'", error);
    }

    public static bool CudaAvailable
    {
        get
        {
            if (cudaAvailable is { } known)
                return known;
            EnsureLoaded();
            try { cudaAvailable = torch.cuda.is_available(); }
            catch (Exception) { cudaAvailable = false; }
            return cudaAvailable.Value;
        }
    }

    /// <summary>Turns on TF32 matmuls/convolutions on CUDA (a no-op on CPU).</summary>
    public static void ConfigureForDevice(torch.Device device)
    {
        if (device.type == DeviceType.CUDA)
        {
            torch.backends.cuda.matmul.allow_tf32 = true;
            torch.backends.cudnn.allow_tf32 = true;
        }
    }

    /// <summary>Folder that holds the native bridge Loom loads, if it can be found in the application folder.</summary>
    public static string? BridgePath()
    {
        var baseDir = AppContext.BaseDirectory;
        foreach (var candidate in new[]
                 {
                     Path.Combine(baseDir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
                     Path.Combine(baseDir, "libLibTorchSharp.so"),
                 })
        {
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>True when the GLIBCXX_3.4.32 shim sits beside the bridge, i.e. the build patched it.</summary>
    public static bool NativeFixInUse()
    {
        var bridge = BridgePath();
        return bridge is not null && File.Exists(Path.Combine(Path.GetDirectoryName(bridge)!, "libLoomStdcxxShim.so"));
    }

    public static NativeReport Report()
    {
        var error = LoadError.Value;
        return new NativeReport(
            Loaded: error is null,
            LoadError: error is null ? null : FirstLine(error),
            TorchSharpVersion: typeof(torch).Assembly.GetName().Version?.ToString() ?? "?",
            Threads: error is null ? torch.get_num_threads() : 0,
            CudaAvailable: error is null && CudaAvailable,
            CudaDevices: error is null && CudaAvailable ? (int)torch.cuda.device_count() : 0,
            NativeFixInUse: NativeFixInUse(),
            BridgePath: BridgePath(),
            Os: RuntimeInformation.OSDescription,
            Runtime: RuntimeInformation.FrameworkDescription);
    }

    private static Exception? TryLoad()
    {
        try
        {
            using var probe = torch.zeros(1);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static string FirstLine(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null && inner is TypeInitializationException)
            inner = inner.InnerException;
        var line = inner.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? inner.GetType().Name;
        return line.Trim();
    }
}

/// <summary>What <c>loom doctor</c> prints.</summary>
public sealed record NativeReport(
    bool Loaded, string? LoadError, string TorchSharpVersion, int Threads, bool CudaAvailable, int CudaDevices,
    bool NativeFixInUse, string? BridgePath, string Os, string Runtime);
