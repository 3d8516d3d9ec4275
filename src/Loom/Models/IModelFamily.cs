using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>
/// A family's entry in the <see cref="ModelRegistry"/>: its kind name and how to rebuild a model from a
/// checkpoint's config and tensors. Implementations have a public parameterless constructor and are found by
/// reflection, so adding a family needs no edit elsewhere.
/// </summary>
public interface IModelFamily
{
    string Kind { get; }

    /// <summary>One line for <c>loom train --help</c> and <c>loom info</c>.</summary>
    string Summary { get; }

    /// <summary>Rebuilds a model; throws <see cref="Loom.Core.LoomException"/> naming what is missing or has the wrong shape.</summary>
    IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device);
}
