using Loom.Core;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Language;
using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adapters;

/// <summary>
/// The networks LoRA adapts inside loaded models, with their default target modules: a transformer language model's
/// decoder (peft's defaults for its style) and a diffusion model's U-Net (<see cref="UNetDefaultTargets"/>). Any other
/// model is refused with a usage error naming its kind.
/// </summary>
public static class LoraNetworks
{
    /// <summary>
    /// The U-Net's default targets: the self-attention projections (<c>to_q, to_k, to_v, to_out</c>) and the two 3×3
    /// convolutions of every residual block (<c>conv1, conv2</c>). Not the input/output, sampling or shortcut convolutions,
    /// nor the time-embedding projections.
    /// </summary>
    public static LoraTargets UNetDefaultTargets => LoraTargets.OfNames("to_q", "to_k", "to_v", "to_out", "conv1", "conv2");

    /// <summary>The adaptable network of <paramref name="model"/>, or a usage error.</summary>
    public static nn.Module NetworkOf(IGenerativeModel model) => model switch
    {
        NeuralLanguageModel { Network: DecoderTransformer transformer } => transformer,
        DiffusionModel { Network: UNet unet } => unet,
        _ => throw new LoomUsageException("adapter: LoRA adapters apply to transformer language models (gpt, llama, HF folders) "
            + $"and U-Net diffusion models; this is a '{model.Kind}' model"
            + (model is DiffusionModel ? " with an MLP denoiser" : "")),
    };

    /// <summary>An empty adapter set on <paramref name="model"/>'s network (nothing is wrapped until an adapter is added).</summary>
    public static LoraAdapters Create(IGenerativeModel model) => NetworkOf(model) switch
    {
        DecoderTransformer transformer => new LoraAdapters(transformer, LoraAdapters.TransformerDefaults(transformer),
            $"{transformer.Config.Style} model", model.Kind),
        var unet => new LoraAdapters(unet, UNetDefaultTargets, "diffusion U-Net", model.Kind),
    };

    /// <summary>
    /// Refuses an adapter whose config says it was trained for the other kind of network (a language model's adapter on
    /// the U-Net, or the reverse); adapters without a recorded kind (peft's) are checked by their tensors alone.
    /// </summary>
    public static void RequireKind(LoraConfig config, string? modelKind, string source)
    {
        if (config.ModelKind is not { } saved || modelKind is null)
            return;
        if ((saved == DiffusionModel.KindName) != (modelKind == DiffusionModel.KindName))
            throw new LoomUsageException($"adapter: {source} was trained on a '{saved}' model; this is a '{modelKind}' model");
    }
}
