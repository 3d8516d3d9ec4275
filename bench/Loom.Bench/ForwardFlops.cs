using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// Multiply-add FLOPs (2 per multiply-accumulate) of one forward pass, counted by forward hooks on the layers that hold
/// nearly all the arithmetic: convolutions (<see cref="Conv2dLayer"/>, <c>nn.Conv2d</c>: 2 · output elements · in
/// channels · k²), transposed convolutions (2 · input elements · out channels · k²) and linear layers (2 · output
/// elements · in features). Bias adds, norms, activations and attention's score products are not counted, so achieved
/// rates computed from these counts are slight underestimates.
/// </summary>
public static class ForwardFlops
{
    /// <summary>Runs <paramref name="forward"/> once without gradients and returns the FLOPs the hooked layers did.</summary>
    public static double Count(nn.Module model, Action forward)
    {
        double flops = 0;
        var removers = new List<Action>();
        foreach (var (_, module) in model.named_modules())
        {
            Func<Tensor, Tensor, double>? rule = module switch
            {
                Conv2dLayer c => (_, output) => 2.0 * output.numel() * c.Weight.shape[1] * c.Weight.shape[2] * c.Weight.shape[3],
                Conv2d c => (_, output) => 2.0 * output.numel() * c.weight!.shape[1] * c.weight.shape[2] * c.weight.shape[3],
                ConvTranspose2dLayer c => (input, _) => 2.0 * input.numel() * c.Weight.shape[1] * c.Weight.shape[2] * c.Weight.shape[3],
                Linear l => (_, output) => 2.0 * output.numel() * l.weight.shape[1],
                _ => null,
            };
            if (rule is null)
                continue;
            var hook = ((nn.Module<Tensor, Tensor>)module).register_forward_hook((_, input, output) =>
            {
                flops += rule(input, output);
                return output;
            });
            removers.Add(hook.remove);
        }
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            forward();
        }
        finally
        {
            foreach (var remove in removers)
                remove();
        }
        return flops;
    }
}
