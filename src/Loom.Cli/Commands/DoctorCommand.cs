using System.CommandLine;
using Loom.Core;

namespace Loom.Cli.Commands;

/// <summary><c>loom doctor</c>: reports the native setup (libtorch, threads, CUDA, the GLIBCXX fix).</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Report the native setup: TorchSharp/libtorch, threads, CUDA, the libstdc++ fix");
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var report = TorchRuntime.Report();
            output.WriteLine($"loom            {LoomVersion.Current}");
            output.WriteLine($"runtime         {report.Runtime} on {report.Os}");
            output.WriteLine($"torchsharp      {report.TorchSharpVersion} (libtorch 2.10)");
            output.WriteLine($"native bridge   {report.BridgePath ?? "not found in the application folder"}");
            output.WriteLine("glibcxx fix     " + (report.NativeFixInUse
                ? "in use (bridge patched at build time; system libstdc++ lacks GLIBCXX_3.4.32)"
                : "not needed"));
            if (!report.Loaded)
            {
                output.WriteLine($"libtorch        FAILED to load: {report.LoadError}");
                throw new LoomException($"libtorch could not be loaded: {report.LoadError}");
            }
            output.WriteLine("libtorch        loaded");
            output.WriteLine("lifetime guard  " + (TorchNumerics.LifetimeGuard is { } guard
                ? $"in use (TorchSharp.dll rewritten, {guard})"
                : "MISSING: the package's TorchSharp.dll (finalizer race; rebuild with Loom's build)"));
            output.WriteLine($"onednn          {TorchNumerics.OneDnn} (Loom's convolutions avoid its wrong-gradient bug either way)");
            output.WriteLine($"threads         {report.Threads}");
            output.WriteLine($"cuda            {(report.CudaAvailable ? $"available, {report.CudaDevices} device(s)" : "not available")}");
            return 0;
        });
        return command;
    }
}
