using Loom.Models.Layers;
using Loom.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion.Networks;

/// <summary>Shape of the image U-Net. Resolution must be divisible by 2^(levels−1).</summary>
public sealed record UNetConfig
{
    public int Channels { get; init; } = 1;
    public int Resolution { get; init; } = 28;
    /// <summary>Channels at the first level; level i has BaseChannels × Multipliers[i].</summary>
    public int BaseChannels { get; init; } = 32;
    public int[] Multipliers { get; init; } = [1, 2, 2];
    public int ResBlocksPerLevel { get; init; } = 1;
    /// <summary>Levels (0 = full resolution) with self-attention after each residual block; the middle always has one.</summary>
    public int[] AttentionLevels { get; init; } = [2];
    public int Groups { get; init; } = 8;
    public double Dropout { get; init; }
    public int NumClasses { get; init; }

    public void Validate()
    {
        if (Multipliers.Length == 0) throw new LoomUsageException("unet: need at least one level");
        int factor = 1 << (Multipliers.Length - 1);
        if (Resolution % factor != 0)
            throw new LoomUsageException($"unet: resolution {Resolution} is not divisible by 2^{Multipliers.Length - 1}; use fewer levels");
        foreach (var m in Multipliers)
            if (BaseChannels * m % Groups != 0)
                throw new LoomUsageException($"unet: {BaseChannels * m} channels are not divisible into {Groups} groups");
        if (AttentionLevels.Any(l => l < 0 || l >= Multipliers.Length))
            throw new LoomUsageException($"unet: attention levels must be in 0..{Multipliers.Length - 1}");
    }
}

/// <summary>
/// The DDPM U-Net: a 3×3 input convolution, an encoder of residual blocks (self-attention at chosen low-resolution
/// levels) with stride-2 downsampling, a middle of residual–attention–residual, a decoder that concatenates the
/// encoder's skip activations, and a GroupNorm–SiLU–conv output. The sinusoidal time embedding (plus a learned class
/// embedding with a "no label" slot for classifier-free guidance) conditions every residual block.
/// </summary>
public sealed class UNet : Denoiser
{
    private readonly Conv2dLayer conv_in;
    private readonly TimestepEmbedding time_embedding;
    private readonly Embedding? class_embedding;
    private readonly ModuleList<ResidualBlock> down_resnets = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> down_attentions = new();
    private readonly ModuleList<Downsample> downsamplers = new();
    private readonly ResidualBlock mid_resnet_1;
    private readonly SpatialAttention mid_attention;
    private readonly ResidualBlock mid_resnet_2;
    private readonly ModuleList<ResidualBlock> up_resnets = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> up_attentions = new();
    private readonly ModuleList<Upsample> upsamplers = new();
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2dLayer conv_out;
    private readonly bool[] downHasAttention;
    private readonly bool[] upHasAttention;

    public UNet(UNetConfig config) : base("unet")
    {
        config.Validate();
        Config = config;
        int c0 = config.BaseChannels, embed = 4 * c0, groups = config.Groups;
        conv_in = new Conv2dLayer(config.Channels, c0, 3, padding: 1);
        time_embedding = new TimestepEmbedding(c0, embed);
        if (config.NumClasses > 0) class_embedding = nn.Embedding(config.NumClasses + 1, embed);

        var skipChannels = new List<int> { c0 };
        var downAttention = new List<bool>();
        int channels = c0;
        for (int level = 0; level < config.Multipliers.Length; level++)
        {
            int outChannels = c0 * config.Multipliers[level];
            bool attend = config.AttentionLevels.Contains(level);
            for (int b = 0; b < config.ResBlocksPerLevel; b++)
            {
                down_resnets.Add(new ResidualBlock(channels, outChannels, embed, groups, config.Dropout));
                down_attentions.Add(attend ? new AttentionAdapter(new SpatialAttention(outChannels, groups)) : new IdentityAdapter());
                downAttention.Add(attend);
                channels = outChannels;
                skipChannels.Add(channels);
            }
            if (level < config.Multipliers.Length - 1)
            {
                downsamplers.Add(new Downsample(channels));
                skipChannels.Add(channels);
            }
        }
        mid_resnet_1 = new ResidualBlock(channels, channels, embed, groups, config.Dropout);
        mid_attention = new SpatialAttention(channels, groups);
        mid_resnet_2 = new ResidualBlock(channels, channels, embed, groups, config.Dropout);

        var upAttention = new List<bool>();
        for (int level = config.Multipliers.Length - 1; level >= 0; level--)
        {
            int outChannels = c0 * config.Multipliers[level];
            bool attend = config.AttentionLevels.Contains(level);
            for (int b = 0; b < config.ResBlocksPerLevel + 1; b++)
            {
                int skip = skipChannels[^1];
                skipChannels.RemoveAt(skipChannels.Count - 1);
                up_resnets.Add(new ResidualBlock(channels + skip, outChannels, embed, groups, config.Dropout));
                up_attentions.Add(attend ? new AttentionAdapter(new SpatialAttention(outChannels, groups)) : new IdentityAdapter());
                upAttention.Add(attend);
                channels = outChannels;
            }
            if (level > 0) upsamplers.Add(new Upsample(channels));
        }
        conv_norm_out = GroupNorms.Create(groups, channels);
        conv_out = new Conv2dLayer(channels, config.Channels, 3, padding: 1);
        downHasAttention = downAttention.ToArray();
        upHasAttention = upAttention.ToArray();
        RegisterComponents();
    }

    public UNetConfig Config { get; }
    public override int NumClasses => Config.NumClasses;

    public override Tensor Predict(Tensor x, Tensor timesteps, Tensor? labels)
    {
        var embedding = time_embedding.forward(timesteps);
        if (class_embedding is not null && labels is not null) embedding = embedding + class_embedding.call(labels);
        embedding = nn.functional.silu(embedding);
        var h = conv_in.call(x);
        var skips = new List<Tensor> { h };
        int block = 0;
        for (int level = 0; level < Config.Multipliers.Length; level++)
        {
            for (int b = 0; b < Config.ResBlocksPerLevel; b++, block++)
            {
                h = down_resnets[block].forward(h, embedding);
                if (downHasAttention[block]) h = down_attentions[block].call(h);
                skips.Add(h);
            }
            if (level < Config.Multipliers.Length - 1)
            {
                h = downsamplers[level].call(h);
                skips.Add(h);
            }
        }
        h = mid_resnet_2.forward(mid_attention.forward(mid_resnet_1.forward(h, embedding)), embedding);

        block = 0;
        int up = 0;
        for (int level = Config.Multipliers.Length - 1; level >= 0; level--)
        {
            for (int b = 0; b < Config.ResBlocksPerLevel + 1; b++, block++)
            {
                var skip = skips[^1];
                skips.RemoveAt(skips.Count - 1);
                h = up_resnets[block].forward(torch.cat([h, skip], 1), embedding);
                if (upHasAttention[block]) h = up_attentions[block].call(h);
            }
            if (level > 0) h = upsamplers[up++].call(h);
        }
        return conv_out.call(nn.functional.silu(conv_norm_out.call(h)));
    }

    /// <summary>Keeps one list index per residual block whether or not it has attention.</summary>
    private sealed class AttentionAdapter : nn.Module<Tensor, Tensor>
    {
        private readonly SpatialAttention attention;
        public AttentionAdapter(SpatialAttention attention) : base("attention") { this.attention = attention; RegisterComponents(); }
        public override Tensor forward(Tensor x) => attention.forward(x);
    }

    private sealed class IdentityAdapter() : nn.Module<Tensor, Tensor>("identity")
    {
        public override Tensor forward(Tensor x) => x;
    }
}
