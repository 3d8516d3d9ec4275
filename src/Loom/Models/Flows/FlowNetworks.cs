using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>Builds the layer stack a <see cref="FlowConfig"/> describes (new, untrained layers).</summary>
public static class FlowNetworks
{
    /// <summary>The flow from data to a flat latent [n, D]; vector flows start with a <see cref="Standardize"/> step.</summary>
    public static FlowSequence Build(FlowConfig config)
    {
        config.Validate();
        return config.Image is { } image ? Image(config, image) : Vector(config);
    }

    private static FlowSequence Vector(FlowConfig config)
    {
        int d = config.Dimensions;
        var layers = new List<FlowLayer> { new Standardize(d) };
        for (int i = 0; i < config.Layers; i++)
        {
            switch (config.Architecture)
            {
                case FlowArchitecture.RealNvp:
                    layers.Add(new AffineCoupling(CouplingMasks.Alternating(d, i % 2),
                        Conditioners.Mlp(d, config.Hidden, config.HiddenLayers, 2 * d)));
                    break;
                case FlowArchitecture.Glow:
                    layers.Add(new ActNorm(d, image: false));
                    layers.Add(new InvertibleLinear(d, config.Seed + i));
                    layers.Add(new AffineCoupling(CouplingMasks.Half(d, flip: false),
                        Conditioners.Mlp(d, config.Hidden, config.HiddenLayers, 2 * d)));
                    break;
                case FlowArchitecture.Maf:
                    if (i > 0) layers.Add(new ReverseOrder());
                    layers.Add(new MaskedAutoregressiveLayer(d, config.Hidden, config.HiddenLayers));
                    break;
                default:
                    layers.Add(new SplineCoupling(CouplingMasks.Alternating(d, i % 2), config.Hidden, config.HiddenLayers, config.Bins,
                        config.TailBound));
                    break;
            }
        }
        return new FlowSequence(layers);
    }

    private static FlowSequence Image(FlowConfig config, ImageShape image) =>
        new([new LogitTransform(config.LogitAlpha), Scale(config, image.Channels, image.Height, image.Width, config.Scales)]);

    /// <summary>One scale and, inside its split, the ones below it; ends flat.</summary>
    private static FlowLayer Scale(FlowConfig config, int c, int h, int w, int scalesLeft)
    {
        var layers = new List<FlowLayer>();
        if (config.Architecture == FlowArchitecture.Glow)
        {
            layers.Add(new Squeeze());
            (c, h, w) = (c * 4, h / 2, w / 2);
            for (int i = 0; i < config.Layers; i++)
            {
                layers.Add(new ActNorm(c, image: true));
                layers.Add(new InvertibleLinear(c, config.Seed + 1000L * scalesLeft + i));
                layers.Add(Coupling(config, CouplingMasks.Channel(c, h, w, flip: false), c));
            }
        }
        else
        {
            for (int i = 0; i < config.Layers; i++)
                layers.Add(Coupling(config, CouplingMasks.Checkerboard(c, h, w, i % 2), c));
            if (scalesLeft == 1)
            {
                layers.Add(new Flatten(c, h, w));
                return new FlowSequence(layers);
            }
            layers.Add(new Squeeze());
            (c, h, w) = (c * 4, h / 2, w / 2);
            for (int i = 0; i < config.Layers; i++)
                layers.Add(Coupling(config, CouplingMasks.Channel(c, h, w, flip: i % 2 == 1), c));
        }
        layers.Add(scalesLeft == 1
            ? new Flatten(c, h, w)
            : new MultiScaleSplit(Scale(config, c / 2, h, w, scalesLeft - 1), c, h, w));
        return new FlowSequence(layers);
    }

    private static AffineCoupling Coupling(FlowConfig config, Tensor mask, int channels) =>
        new(mask, Conditioners.Cnn(channels, config.Hidden, 2 * channels));
}
