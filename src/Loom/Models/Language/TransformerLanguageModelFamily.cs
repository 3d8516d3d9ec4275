using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;
using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language;

/// <summary>A decoder-transformer kind: the recipe's layers, heads, kv_heads, width and dropout make its config.</summary>
public abstract class TransformerLanguageModelFamily : NeuralLanguageModelFamily
{
    public override LanguageModelArchitecture Architecture => LanguageModelArchitecture.Transformer;

    protected override string LinePreset => "names";

    /// <summary>The transformer config of a resolved recipe.</summary>
    protected abstract TransformerConfig Config(LanguageModelRecipe recipe, int vocabSize, int context);

    public override nn.Module CreateNetwork(LanguageModelRecipe recipe, int vocabSize, int context, long seed) =>
        new DecoderTransformer(Config(recipe, vocabSize, context), seed);

    protected override nn.Module LoadNetwork(JsonObject network, IReadOnlyDictionary<string, Tensor> state)
    {
        var config = TransformerConfig.FromJson(network);
        ConfigValues.RequireStateHolds(config.MinimumParameters(), state);
        var transformer = new DecoderTransformer(config);
        transformer.LoadState(state, $"{Kind} checkpoint");
        return transformer;
    }
}
