using Loom.Models.Diffusion.Networks;
using TorchSharp;
using static Loom.Tests.Privacy.PerSampleGradientsTests;
using static TorchSharp.torch;

namespace Loom.Tests.Privacy;

/// <summary>
/// The diffusion denoisers — the U-Net (convolutions, GroupNorm, spatial attention, time and class embeddings, up- and
/// downsampling) and the MLP denoiser — give per-example gradients equal to a loop over single examples, so DP-SGD can
/// train them.
/// </summary>
public class DenoiserPerSampleGradientsTests
{
    [Fact]
    public void ClassConditionalUNetWithAttention() => AssertMatchesTheLoop(Seeded(() => new Packed(new UNet(new UNetConfig
    {
        Channels = 1, Resolution = 8, BaseChannels = 8, Multipliers = [1, 2], ResBlocksPerLevel = 1, AttentionLevels = [1],
        Groups = 4, NumClasses = 3,
    }))), Inputs(1, 8, 8));

    [Fact]
    public void ConditionalMlpDenoiser() =>
        AssertMatchesTheLoop(Seeded(() => new Packed(new MlpDenoiser(new MlpDenoiserConfig(2, 8, 2, NumClasses: 3)))), Inputs(2));

    /// <summary>Each example's data with its timestep and class packed in, so slicing the batch slices all three.</summary>
    private static Tensor Inputs(params long[] dataShape)
    {
        var x = torch.randn([Batch, .. dataShape], dtype: ScalarType.Float64, generator: new Generator(3));
        var t = torch.tensor(new double[] { 3, 250, 511, 760, 999 }, ScalarType.Float64);
        var labels = torch.tensor(new double[] { 0, 2, 1, 3, 0 }, ScalarType.Float64);   // 3 = the "no label" slot
        var extra = torch.stack([t, labels], 1);
        return torch.cat([x.flatten(1), extra], 1);
    }

    /// <summary>A denoiser as a module from packed inputs (flattened data, timestep, class) to its prediction.</summary>
    private sealed class Packed : nn.Module<Tensor, Tensor>
    {
        private readonly Denoiser denoiser;

        public Packed(Denoiser denoiser) : base("packed")
        {
            this.denoiser = denoiser;
            RegisterComponents();
            this.to(ScalarType.Float64);
        }

        public override Tensor forward(Tensor packed)
        {
            long n = packed.shape[0], d = packed.shape[1] - 2;
            var x = packed[.., ..(int)d];
            if (denoiser is UNet) x = x.reshape(n, 1, 8, 8);
            return denoiser.Predict(x, packed[.., (int)d], packed[.., (int)d + 1].to(ScalarType.Int64)).flatten(1);
        }
    }
}
