using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Provenance;

/// <summary>
/// The reference C2PA reader: c2pa-rs compiled to WebAssembly (<c>@contentauth/c2pa-wasm</c>), driven by
/// <c>tests/peers/c2pa-read.mjs</c>.
/// </summary>
internal static class C2paPeer
{
    public sealed record Reading(JsonObject? Manifest, IReadOnlyList<string> Failures, string Raw);

    public static Reading Read(string file, string mimeType)
    {
        var output = NodePeers.Run("c2pa-read.mjs", [file, mimeType]);
        var json = JsonNode.Parse(output)!.AsObject();
        var failures = json["failures"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
        return new Reading(json["manifest"] as JsonObject, failures, output);
    }
}
