using System.Formats.Cbor;

namespace Loom.Provenance;

/// <summary>
/// The <c>c2pa.actions.v2</c> assertion Loom writes: one <c>c2pa.created</c> action whose digital source type says
/// the content was made by a trained model (IPTC <c>trainedAlgorithmicMedia</c>), with Loom as the software agent.
/// </summary>
internal static class ActionsAssertion
{
    public const string Label = "c2pa.actions.v2";
    public const string Created = "c2pa.created";
    public const string TrainedAlgorithmicMedia = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

    public static byte[] CreatedByLoom(string loomVersion)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(1);
        w.WriteTextString("actions");
        w.WriteStartArray(1);
        w.WriteStartMap(3);
        w.WriteTextString("action");
        w.WriteTextString(Created);
        w.WriteTextString("digitalSourceType");
        w.WriteTextString(TrainedAlgorithmicMedia);
        w.WriteTextString("softwareAgent");
        ClaimWriter.WriteGeneratorInfo(w, loomVersion);
        w.WriteEndMap();
        w.WriteEndArray();
        w.WriteEndMap();
        return w.Encode();
    }

    /// <summary>The action names the assertion lists, in order.</summary>
    public static IReadOnlyList<string> ActionNames(byte[] cbor) =>
        CborTree.DecodeMap(cbor, Label).GetValueOrDefault("actions") is List<object?> actions
            ? [.. actions.OfType<Dictionary<string, object?>>().Select(a => a.GetValueOrDefault("action") as string ?? "?")]
            : [];
}
