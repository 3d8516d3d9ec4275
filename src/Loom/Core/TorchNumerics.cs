using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Loom.Core;

/// <summary>
/// What makes libtorch's results trustworthy under .NET (docs/architecture.md, "Numerics you can trust"), reported by
/// <c>loom doctor</c>:
/// <list type="bullet">
/// <item>TorchSharp.dll is Loom's rewritten copy, in which no wrapper (a <c>Scalar</c>, a temporary tensor) can be
/// finalized while native code reads it — the cause of the segfaults and <c>c10::Scalar::toFloat</c> aborts;</item>
/// <item>Loom's convolutions go through <see cref="Models.Layers.Convolutions"/>, which sidesteps libtorch 2.10's
/// oneDNN bug (wrong input gradients when the output channel count is not a multiple of 16). oneDNN stays on, since
/// libtorch's own kernels are 5–6× slower for the U-Net; <c>LOOM_ONEDNN=0</c> turns it off for the whole process,
/// which protects convolutions Loom does not make itself (a user's own <c>nn.Conv2d</c>) at that cost.</item>
/// </list>
/// </summary>
public static class TorchNumerics
{
    /// <summary>Set to 0 to turn libtorch's oneDNN CPU kernels off for the whole process (see above).</summary>
    public const string OneDnnVariable = "LOOM_ONEDNN";

    private const string LifetimeMarker = "Loom.TorchLifetimes";
    private static readonly object Gate = new();
    private static string? oneDnnState;
    private static bool nnpackSilenced;

    /// <summary>The lifetime guard's version when TorchSharp.dll is Loom's rewritten copy, else null.</summary>
    public static string? LifetimeGuard { get; } = typeof(torch).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == LifetimeMarker)?.Value;

    /// <summary>Whether libtorch's oneDNN CPU kernels are in use: "on", "off (LOOM_ONEDNN=0)", or why it is not known.</summary>
    public static string OneDnn
    {
        get
        {
            Apply();
            return oneDnnState!;
        }
    }

    /// <summary>Applies the settings once (idempotent, thread-safe); never throws — a failure is reported instead.</summary>
    public static void Apply()
    {
        lock (Gate)
        {
            if (oneDnnState is not null)
                return;
            try
            {
                oneDnnState = Environment.GetEnvironmentVariable(OneDnnVariable) == "0" ? TurnOffOneDnn() : "on";
            }
            catch (Exception e)  // runs from the module initializer: a libtorch that cannot load is reported later, never thrown here
            {
                oneDnnState = $"unknown (libtorch not loaded: {e.GetType().Name})";
            }
        }
    }

    /// <summary>
    /// Turns libtorch's NNPACK off: it cannot start on most x86 CPUs, and libtorch then logs "Could not initialize
    /// NNPACK" on every convolution it considers for it (30,000 lines in one test run). Loom calls this before its first
    /// convolution; idempotent, never throws.
    /// </summary>
    public static void SilenceNnpack()
    {
        lock (Gate)
        {
            if (nnpackSilenced)
                return;
            nnpackSilenced = true;
            try
            {
                if (Context() is { } context && Export("_ZN2at7Context20setUserEnabledNNPACKEb") is { } set)
                    Marshal.GetDelegateForFunctionPointer<SetUserEnabled>(set)(context, false);
            }
            catch (Exception)  // a libtorch without the export keeps its warnings; nothing else changes
            {
            }
        }
    }

    private static string TurnOffOneDnn()
    {
        if (Context() is not { } context || Export("_ZN2at7Context20setUserEnabledMkldnnEb") is not { } set ||
            Export("_ZNK2at7Context17userEnabledMkldnnEv") is not { } get)
            return "unknown (this libtorch does not export at::Context::setUserEnabledMkldnn)";
        Marshal.GetDelegateForFunctionPointer<SetUserEnabled>(set)(context, false);
        SilenceNnpack();  // without oneDNN, libtorch asks NNPACK next
        bool still = Marshal.GetDelegateForFunctionPointer<UserEnabledMkldnn>(get)(context);
        return still ? "unknown (the setting did not take)" : $"off ({OneDnnVariable}=0)";
    }

    /// <summary>libtorch's global <c>at::Context</c>, loading libtorch through TorchSharp first; null if it cannot be found.</summary>
    private static IntPtr? Context()
    {
        using (torch.zeros(1)) { }
        return Export("_ZN2at13globalContextEv") is { } export ? Marshal.GetDelegateForFunctionPointer<GlobalContext>(export)() : null;
    }

    private static IntPtr? Export(string symbol) =>
        NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out var library) &&
        NativeLibrary.TryGetExport(library, symbol, out var address) ? address : null;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetUserEnabled(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.I1)]
    private delegate bool UserEnabledMkldnn(IntPtr context);
}

/// <summary>Applies <see cref="TorchNumerics"/> as soon as Loom's assembly loads, before any Loom code makes a tensor.</summary>
internal static class TorchNumericsInitializer
{
#pragma warning disable CA2255 // deliberate: a library user who builds modules without calling Loom first must get the guards too
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Initialize() => TorchNumerics.Apply();
#pragma warning restore CA2255
}
