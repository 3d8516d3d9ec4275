using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.IO.Checkpoints;

/// <summary>
/// Strict reads of a family's saved configuration (<c>config.json</c>'s <c>config</c> object): every value has its
/// type and range, a missing required key, a null, a string where a number belongs or a number out of range is refused
/// with one <see cref="LoomDataException"/> naming the key, before anything is allocated from it. Optional keys (added
/// by later versions) fall back to a default only when absent, never when present with a wrong value.
/// </summary>
public sealed class ConfigValues(JsonObject config, string source = "config.json")
{
    public int Int(string key, int min, int max) => (int)Long(key, min, max);

    public int Int(string key, int min, int max, int whenAbsent) => config.ContainsKey(key) ? Int(key, min, max) : whenAbsent;

    public long Long(string key, long min, long max)
    {
        var value = Value(key);
        if (value.GetValueKind() != JsonValueKind.Number || !Element(value).TryGetInt64(out long n) || n < min || n > max)
            throw Bad(key, $"an integer from {min} to {max}", value);
        return n;
    }

    public long Long(string key, long min, long max, long whenAbsent) => config.ContainsKey(key) ? Long(key, min, max) : whenAbsent;

    public double Double(string key, double min, double max)
    {
        var value = Value(key);
        if (value.GetValueKind() != JsonValueKind.Number || !Element(value).TryGetDouble(out double x)
            || !double.IsFinite(x) || x < min || x > max)
            throw Bad(key, $"a number from {min} to {max}", value);
        return x;
    }

    public double Double(string key, double min, double max, double whenAbsent) =>
        config.ContainsKey(key) ? Double(key, min, max) : whenAbsent;

    public bool Bool(string key)
    {
        var value = Value(key);
        return value.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad(key, "true or false", value),
        };
    }

    public bool Bool(string key, bool whenAbsent) => config.ContainsKey(key) ? Bool(key) : whenAbsent;

    public string String(string key)
    {
        var value = Value(key);
        if (value.GetValueKind() != JsonValueKind.String)
            throw Bad(key, "a string", value);
        return value.GetValue<string>();
    }

    public string String(string key, string whenAbsent) => config.ContainsKey(key) ? String(key) : whenAbsent;

    /// <summary>A list of integers, each from <paramref name="min"/> to <paramref name="max"/>, at most
    /// <paramref name="maxCount"/>.</summary>
    public long[] Longs(string key, long min, long max, int maxCount)
    {
        if (Node(key) is not JsonArray array || array.Count > maxCount)
            throw Bad(key, $"a list of at most {maxCount} integers", Node(key));
        return array.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && Element(v)
            .TryGetInt64(out long x) && x >= min && x <= max
            ? x
            : throw Bad(key, $"a list of integers from {min} to {max}", array)).ToArray();
    }

    public string[] Strings(string key, string[] whenAbsent)
    {
        if (!config.ContainsKey(key))
            return whenAbsent;
        if (Node(key) is not JsonArray array)
            throw Bad(key, "a list of strings", Node(key));
        return array.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw Bad(key, "a list of strings", array)).ToArray();
    }

    /// <summary>The nested object under <paramref name="key"/>, read with the same rules.</summary>
    public ConfigValues Object(string key) =>
        Node(key) is JsonObject o ? new ConfigValues(o, $"{source} '{key}'") : throw Bad(key, "an object", Node(key));

    public bool Has(string key) => config.ContainsKey(key);

    /// <summary>
    /// Refuses a configuration that describes a network with more than the <paramref name="state"/>'s elements (a lower
    /// bound the family computes from the config) before the network is built: a dimension edited to 10^9 would
    /// otherwise allocate gigabytes, or hang, before the shapes are compared.
    /// </summary>
    public static void RequireStateHolds(double impliedElements, IReadOnlyDictionary<string, TorchSharp.torch.Tensor> state,
        string source = "config.json")
    {
        double held = state.Values.Sum(t => (double)t.numel());
        if (impliedElements > held)
            throw new LoomDataException(
                $"{source}: describes a network of at least {impliedElements:G3} weights, but model.safetensors holds {held:G3}");
    }

    /// <summary>The value as parsed JSON: a value built in memory (an <c>int</c>) reads like one read from a file.</summary>
    private static JsonElement Element(JsonValue value) => JsonSerializer.SerializeToElement(value);

    private JsonNode? Node(string key) =>
        config.TryGetPropertyValue(key, out var node) ? node : throw new LoomDataException($"{source}: missing '{key}'");

    private JsonValue Value(string key) => Node(key) as JsonValue ?? throw Bad(key, "a single value", Node(key));

    private LoomDataException Bad(string key, string expected, JsonNode? got)
    {
        var text = got?.ToJsonString() ?? "null";
        return new LoomDataException($"{source}: '{key}' must be {expected}, got {(text.Length > 40 ? text[..40] + "…" : text)}");
    }
}
