using TorchSharp;
using TorchSharp.Modules;

namespace Loom.Models.Diffusion.Networks;

/// <summary>
/// torch.nn.GroupNorm with its affine parameters explicitly set to weight 1, bias 0: TorchSharp 0.107's GroupNorm
/// leaves the weight uninitialized (garbage values seen in tests), which made the first forward pass NaN.
/// </summary>
internal static class GroupNorms
{
    public static GroupNorm Create(int groups, int channels)
    {
        var norm = torch.nn.GroupNorm(groups, channels);
        using var noGrad = torch.no_grad();
        norm.weight!.fill_(1);
        norm.bias!.zero_();
        return norm;
    }
}
