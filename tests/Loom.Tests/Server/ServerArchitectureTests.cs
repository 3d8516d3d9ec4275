using Loom.Tests.Cli;

namespace Loom.Tests.Server;

/// <summary>
/// The server is a shell over the library, as the CLI is (<see cref="CliArchitectureTests"/>): Loom.Server.dll names no
/// model, family, network, trainer or training run — it learns what a model offers from capabilities
/// (<see cref="Loom.Models.ITextModelFamily"/>, <c>GetService</c>) and library calls (<see cref="Loom.Models.ScoreRows"/>,
/// <see cref="Loom.AI.LoomEmbeddingGenerator.TryCreate"/>) — and calls no TorchSharp member: its tensor work (sampling, JSON
/// forms, images) happens in library calls that own their dispose scopes.
/// </summary>
public sealed class ServerArchitectureTests
{
    private static string ServerAssembly => typeof(Loom.Server.LoomServer).Assembly.Location;

    [Fact]
    public void The_server_names_no_model_family_network_trainer_or_training_run()
    {
        var offending = CliArchitectureTests.FamilyTypesReferencedBy(ServerAssembly);
        Assert.True(offending.Count == 0, "Loom.Server references family types:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void The_server_does_no_tensor_work_of_its_own()
    {
        var used = CliArchitectureTests.ReferencedMembers(ServerAssembly)
            .Where(m => m.StartsWith("TorchSharp.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(used.Count == 0, "Loom.Server calls TorchSharp members (move the tensor work into the library):\n"
            + string.Join("\n", used));
    }
}
