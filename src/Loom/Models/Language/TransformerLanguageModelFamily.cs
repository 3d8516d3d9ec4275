using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;
using Loom.Models.Quantization;
using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language;

/// <summary>A decoder-transformer kind: the recipe's layers, heads, kv_heads, width and dropout make its config.</summary>
public abstract class TransformerLanguageModelFamily : NeuralLanguageModelFamily
{
    public override LanguageModelArchitecture Architecture => LanguageModelArchitecture.Transformer;

    protected override string LinePreset => "names";

    public override bool Embeds => true;

    public override IReadOnlyList<ScalarType> TrainingPrecisions => [ScalarType.Float32, ScalarType.BFloat16];

    /// <summary>The transformer config of a resolved recipe.</summary>
    protected abstract TransformerConfig Config(LanguageModelRecipe recipe, int vocabSize, int context);

    public override nn.Module CreateNetwork(LanguageModelRecipe recipe, int vocabSize, int context, long seed) =>
        new DecoderTransformer(Config(recipe, vocabSize, context), seed);

    protected override nn.Module LoadNetwork(JsonObject network, IReadOnlyDictionary<string, Tensor> state,
        QuantizationOptions? quantization)
    {
        var config = TransformerConfig.FromJson(network);
        // 4-bit layers hold two weights per saved element
        ConfigValues.RequireStateHolds(config.MinimumParameters() * (quantization?.Bits == 4 ? 0.5 : 1), state);
        var transformer = new DecoderTransformer(config);
        if (quantization is not null)
            LayerQuantization.PrepareForLoad(transformer, quantization, $"{Kind} checkpoint");
        transformer.LoadState(state, $"{Kind} checkpoint");
        return transformer;
    }
}
