using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Training;

/// <summary>
/// Mixed-precision training without autocast (TorchSharp has none): the network computes in bfloat16 — its parameters,
/// activations and gradients — while the <see cref="Optimizer"/> keeps a float32 master copy of every parameter and applies
/// each update there. <see cref="Lower"/> converts a network before its trainer is made; <see cref="Promote"/> gives it
/// back in float32 with the masters' values once training ends, so the saved model is the float32 weights the updates
/// built. float16 is refused: without loss scaling its gradients underflow.
/// </summary>
public static class TrainingPrecision
{
    /// <summary>float32 (also f32, fp32, auto) or bfloat16 (bf16); anything else throws naming <c>Precision</c>.</summary>
    public static ScalarType Parse(string? spec) => (spec ?? "float32").Trim().ToLowerInvariant() switch
    {
        "" or "auto" or "float32" or "f32" or "fp32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        "float16" or "f16" or "fp16" or "half" => throw LoomUsageException.ForOption("Precision",
            "float16 training needs loss scaling, which Loom does not do; use bfloat16"),
        _ => throw LoomUsageException.ForOption("Precision", $"'{spec}' is not a training precision; use float32 or bfloat16"),
    };

    /// <summary>The name <see cref="Parse"/> reads back: float32 or bfloat16.</summary>
    public static string Name(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        _ => throw LoomUsageException.ForOption("Precision", $"{dtype} is not a training precision; use float32 or bfloat16"),
    };

    /// <summary>Converts <paramref name="network"/>'s floating-point parameters and buffers to <paramref name="dtype"/> (nothing
    /// for float32). Call it before the network's trainer is made: the trainer's optimizer holds the converted parameters.</summary>
    public static void Lower(nn.Module network, ScalarType dtype)
    {
        Name(dtype);
        if (dtype != ScalarType.Float32) network.to(dtype);
    }

    /// <summary>
    /// Converts a network that trained in half precision back to float32 and sets every parameter the trainer updated to
    /// its float32 master (<see cref="Trainer.MasterWeight"/>); parameters it did not update keep their own values. Call it
    /// after training, before the trainer is disposed. Nothing happens to a float32 network.
    /// </summary>
    public static void Promote(nn.Module network, Trainer trainer)
    {
        var masters = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        bool half = false;
        foreach (var (name, parameter) in network.named_parameters())
        {
            half |= Optimizer.NeedsMaster(parameter.dtype);
            if (trainer.MasterWeight(parameter) is { } master) masters[name] = master.detach().clone();
        }
        if (!half) return;
        try
        {
            network.to(ScalarType.Float32);
            using var noGrad = torch.no_grad();
            foreach (var (name, parameter) in network.named_parameters())
                if (masters.TryGetValue(name, out var master)) parameter.copy_(master);
        }
        finally
        {
            foreach (var master in masters.Values) master.Dispose();
        }
    }
}
