using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Provenance;

/// <summary>
/// The reference C2PA reader: c2pa-rs compiled to WebAssembly (<c>@contentauth/c2pa-wasm</c>), driven by
/// <c>tests/peers/c2pa-read.mjs</c>.
/// </summary>
internal static class C2paPeer
{
    /// <summary>The active manifest, c2pa-rs's failure and success status codes, and its whole output (for messages).</summary>
    public sealed record Reading(JsonObject? Manifest, IReadOnlyList<string> Failures, IReadOnlyList<string> Successes, string Raw);

    public static Reading Read(string file, string mimeType)
    {
        var output = NodePeers.Run("c2pa-read.mjs", [file, mimeType]);
        var json = JsonNode.Parse(output)!.AsObject();
        List<string> Codes(string key) => [.. json[key]!.AsArray().Select(f => f!.GetValue<string>())];
        return new Reading(json["manifest"] as JsonObject, Codes("failures"), Codes("success"), output);
    }
}
