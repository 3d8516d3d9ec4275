using Loom.Privacy;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// The output head of a transformer whose head is tied to its token embedding: logits = x Eᵀ. It owns no parameters
/// (the state dict keeps the one embedding tensor) and runs through <c>call()</c>, so hooks such as DP-SGD's
/// per-example gradients see the second use of the embedding.
/// </summary>
public sealed class TiedOutputHead : nn.Module<Tensor, Tensor>, ISharedWeightLayer
{
    // A plain reference, not a registered submodule: the embedding is registered once, where it is used as an embedding.
    private readonly Func<Embedding> embedding;

    public TiedOutputHead(Embedding embedding) : base("TiedOutputHead")
    {
        this.embedding = () => embedding;
    }

    public (nn.Module Owner, string Name) SharedWeight => (embedding(), "weight");

    public override Tensor forward(Tensor x) => x.matmul(embedding().weight!.t());
}
