using System.Formats.Cbor;
using Loom.Core;

namespace Loom.Provenance;

/// <summary>The <c>org.loom.generation</c> assertion: a <see cref="GenerationRecord"/> as a CBOR map.</summary>
internal static class GenerationAssertion
{
    public const string Label = "org.loom.generation";

    public static byte[] ToCbor(GenerationRecord record)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(record.Seed is null ? 4 : 5);
        w.WriteTextString("model_kind");
        w.WriteTextString(record.ModelKind);
        w.WriteTextString("weights_sha256");
        w.WriteTextString(record.WeightsSha256.ToLowerInvariant());
        if (record.Seed is { } seed)
        {
            w.WriteTextString("seed");
            w.WriteInt64(seed);
        }
        w.WriteTextString("parameters");
        w.WriteStartMap(record.Parameters.Count);
        foreach (var (name, value) in record.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteTextString(name);
            w.WriteTextString(value);
        }
        w.WriteEndMap();
        w.WriteTextString("loom_version");
        w.WriteTextString(record.LoomVersion);
        w.WriteEndMap();
        return w.Encode();
    }

    public static GenerationRecord FromCbor(byte[] cbor)
    {
        var map = CborTree.DecodeMap(cbor, Label);
        string Text(string key) => map.GetValueOrDefault(key) as string ?? throw new LoomDataException($"{Label}: no '{key}'");
        var parameters = map.GetValueOrDefault("parameters") is Dictionary<string, object?> p
            ? p.ToDictionary(kv => kv.Key, kv => Convert.ToString(kv.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "")
            : [];
        return new GenerationRecord(Text("model_kind"), Text("weights_sha256"), map.GetValueOrDefault("seed") as long?, parameters)
        {
            LoomVersion = Text("loom_version"),
        };
    }
}
