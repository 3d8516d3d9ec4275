using TorchSharp;

namespace Loom.Core;

/// <summary>Parses <c>--device auto|cpu|cuda[:N]</c> into a TorchSharp device.</summary>
public static class DeviceSelector
{
    public static torch.Device Parse(string? spec)
    {
        var text = (spec ?? "auto").Trim().ToLowerInvariant();
        if (text is "" or "auto")
            return TorchRuntime.CudaAvailable ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        if (text == "cpu")
            return torch.CPU;
        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (text.Length > 4 && (!int.TryParse(text.AsSpan(5), out index) || index < 0))
                throw LoomUsageException.ForOption("Device", $"'{spec}' is not a device; use auto, cpu, cuda or cuda:N");
            if (!TorchRuntime.CudaAvailable)
                throw LoomUsageException.ForOption("Device", $"'{spec}' was asked for but CUDA is not available (run 'loom doctor')");
            int count = (int)torch.cuda.device_count();
            if (index >= count)
                throw LoomUsageException.ForOption("Device", $"'{spec}' does not exist; this machine has {count} CUDA device(s)");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw LoomUsageException.ForOption("Device", $"'{spec}' is not a device; use auto, cpu, cuda or cuda:N");
    }
}
