using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models.Quantization;
using Loom.Models.Recurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language;

/// <summary>An RNN kind: the recipe's embedding, hidden, layers and dropout around the family's cell.</summary>
public abstract class RecurrentLanguageModelFamily : NeuralLanguageModelFamily
{
    public override LanguageModelArchitecture Architecture => LanguageModelArchitecture.Recurrent;

    /// <summary>The recurrent cell this kind stacks.</summary>
    protected abstract RecurrentCell Cell { get; }

    public override nn.Module CreateNetwork(LanguageModelRecipe recipe, int vocabSize, int context, long seed) =>
        new RecurrentLanguageModel(new RecurrentConfig
        {
            Cell = Cell, VocabSize = vocabSize, Layers = recipe.Layers!.Value, Hidden = recipe.Hidden!.Value,
            EmbeddingWidth = recipe.Embedding!.Value, Dropout = recipe.Dropout!.Value,
        }, seed);

    protected override nn.Module LoadNetwork(JsonObject network, IReadOnlyDictionary<string, Tensor> state,
        QuantizationOptions? quantization)
    {
        if (quantization is not null)
            throw new LoomDataException($"{Kind} checkpoint: says it is quantized, but only transformer models (gpt, llama) are");
        var config = RecurrentConfig.FromJson(network);
        ConfigValues.RequireStateHolds(config.MinimumParameters(), state);
        var rnn = new RecurrentLanguageModel(config);
        ModuleParameters.CopyFrom(rnn, state, $"{Kind} checkpoint");
        return rnn;
    }
}
