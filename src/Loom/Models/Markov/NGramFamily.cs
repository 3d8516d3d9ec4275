using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Loom.Models.Markov;

/// <summary>Registry entry for <c>ngram</c>.</summary>
public sealed class NGramFamily : IModelFamily
{
    public string Kind => NGramModel.KindName;
    public string Summary => "n-gram Markov chain over characters or words (Kneser-Ney or add-k)";

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device) =>
        NGramState.FromTensors(config, state);
}
