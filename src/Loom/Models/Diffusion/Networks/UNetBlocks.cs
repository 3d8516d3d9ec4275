using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion.Networks;

/// <summary>
/// DDPM residual block: GroupNorm → SiLU → 3×3 conv, add the projected time/class embedding, GroupNorm → SiLU →
/// dropout → 3×3 conv, plus a 1×1 shortcut when the channel count changes.
/// </summary>
public sealed class ResidualBlock : nn.Module
{
    private readonly GroupNorm norm1;
    private readonly Conv2dLayer conv1;
    private readonly Linear time_emb_proj;
    private readonly GroupNorm norm2;
    private readonly Dropout dropout;
    private readonly Conv2dLayer conv2;
    private readonly Conv2dLayer? conv_shortcut;

    public ResidualBlock(int inChannels, int outChannels, int embeddingWidth, int groups, double dropoutRate) : base("resnet")
    {
        norm1 = GroupNorms.Create(groups, inChannels);
        conv1 = new Conv2dLayer(inChannels, outChannels, 3, padding: 1);
        time_emb_proj = nn.Linear(embeddingWidth, outChannels);
        norm2 = GroupNorms.Create(groups, outChannels);
        dropout = nn.Dropout(dropoutRate);
        conv2 = new Conv2dLayer(outChannels, outChannels, 3, padding: 1);
        if (inChannels != outChannels) conv_shortcut = new Conv2dLayer(inChannels, outChannels, 1);
        RegisterComponents();
    }

    /// <param name="embedding">[n, E] time (+ class) embedding, already passed through SiLU.</param>
    public Tensor forward(Tensor x, Tensor embedding)
    {
        var h = conv1.call(nn.functional.silu(norm1.call(x)));
        h = h + time_emb_proj.call(embedding).unsqueeze(-1).unsqueeze(-1);
        h = conv2.call(dropout.call(nn.functional.silu(norm2.call(h))));
        return (conv_shortcut?.call(x) ?? x) + h;
    }
}

/// <summary>Single-head self-attention over the spatial positions of a feature map, with a residual connection.</summary>
public sealed class SpatialAttention : nn.Module
{
    private readonly GroupNorm group_norm;
    private readonly Linear to_q;
    private readonly Linear to_k;
    private readonly Linear to_v;
    private readonly Linear to_out;

    public SpatialAttention(int channels, int groups) : base("attention")
    {
        group_norm = GroupNorms.Create(groups, channels);
        to_q = nn.Linear(channels, channels);
        to_k = nn.Linear(channels, channels);
        to_v = nn.Linear(channels, channels);
        to_out = nn.Linear(channels, channels);
        RegisterComponents();
    }

    public Tensor forward(Tensor x)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var tokens = group_norm.call(x).reshape(n, c, h * w).transpose(1, 2); // [n, hw, c]
        var q = to_q.call(tokens);
        var k = to_k.call(tokens);
        var v = to_v.call(tokens);
        // Explicit softmax(QKᵀ/√c)V: libtorch's CPU fused attention gave intermittent NaN gradients here.
        var weights = torch.bmm(q, k.transpose(1, 2)).mul(1.0 / Math.Sqrt(c)).softmax(-1);
        var attended = torch.bmm(weights, v);
        return x + to_out.call(attended).transpose(1, 2).reshape(n, c, h, w);
    }
}

/// <summary>Halves the resolution with a stride-2 3×3 convolution.</summary>
public sealed class Downsample : nn.Module<Tensor, Tensor>
{
    private readonly Conv2dLayer conv;

    public Downsample(int channels) : base("downsample")
    {
        conv = new Conv2dLayer(channels, channels, 3, stride: 2, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => conv.call(x);
}

/// <summary>Doubles the resolution: nearest-neighbour upsampling then a 3×3 convolution.</summary>
public sealed class Upsample : nn.Module<Tensor, Tensor>
{
    private readonly Conv2dLayer conv;

    public Upsample(int channels) : base("upsample")
    {
        conv = new Conv2dLayer(channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        conv.call(nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest));
}
