using Loom.Tests.Cli;

namespace Loom.Tests.Server;

/// <summary>
/// The server is a shell over the library, as the CLI is (<see cref="CliArchitectureTests"/>): Loom.Server.dll calls no
/// TorchSharp member — its tensor work (sampling, JSON forms, images) happens in library calls that own their dispose
/// scopes. (Unlike the CLI it still names four family types: text and embedding capabilities and the HMM's data format.)
/// </summary>
public sealed class ServerArchitectureTests
{
    private static string ServerAssembly => typeof(Loom.Server.LoomServer).Assembly.Location;

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
