using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Loom.Core;

namespace Loom.Models.Adapters;

/// <summary>
/// Which modules a LoRA adapter wraps, with peft's <c>target_modules</c> semantics: a list of names matches a module
/// whose path equals a name or ends with <c>.name</c> (<c>c_attn</c> matches <c>transformer.h.0.attn.c_attn</c>); a
/// single regular expression must match the whole module path. Written as peft writes it: a JSON list, or a string.
/// </summary>
public sealed class LoraTargets
{
    private readonly Regex? pattern;

    private LoraTargets(IReadOnlyList<string> names, string? regex)
    {
        Names = names;
        Regex = regex;
        pattern = regex is null ? null : new Regex($"^(?:{regex})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>Module names (empty when <see cref="Regex"/> is set).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>A regular expression over whole module paths, or null.</summary>
    public string? Regex { get; }

    /// <summary>Names matched by exact path or <c>.name</c> suffix.</summary>
    public static LoraTargets OfNames(params string[] names)
    {
        if (names.Length == 0 || names.Any(string.IsNullOrWhiteSpace))
            throw LoomUsageException.ForOption("TargetModules", "needs at least one module name, and no empty names");
        return new LoraTargets(names.Select(n => n.Trim()).ToArray(), null);
    }

    /// <summary>A regular expression that must match a module's whole path.</summary>
    public static LoraTargets OfRegex(string regex)
    {
        try
        {
            return new LoraTargets([], regex);
        }
        catch (ArgumentException e)
        {
            throw LoomUsageException.ForOption("TargetModules", $"'{regex}' is not a regular expression: {e.Message}");
        }
    }

    /// <summary>
    /// Parses the command-line form: names separated by commas (<c>q_proj,v_proj</c>), or <c>re:</c> followed by a
    /// regular expression (<c>re:.*\.(q|v)_proj</c>).
    /// </summary>
    public static LoraTargets Parse(string spec) =>
        spec.StartsWith("re:", StringComparison.Ordinal)
            ? OfRegex(spec[3..])
            : OfNames(spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Whether the module at <paramref name="path"/> is a target.</summary>
    public bool Matches(string path) =>
        pattern is not null
            ? pattern.IsMatch(path)
            : Names.Any(n => path == n || path.EndsWith("." + n, StringComparison.Ordinal));

    /// <summary>The command-line form (<see cref="Parse"/> reads it back).</summary>
    public override string ToString() => Regex is not null ? "re:" + Regex : string.Join(",", Names);

    /// <summary>peft's <c>target_modules</c> value.</summary>
    public JsonNode ToJson() => Regex is not null ? JsonValue.Create(Regex) : new JsonArray(Names.Select(n => (JsonNode)n).ToArray());

    /// <summary>Reads peft's <c>target_modules</c> (a list of names or one regular expression).</summary>
    public static LoraTargets FromJson(JsonNode? node, string source) => node switch
    {
        JsonArray list when list.Count > 0 && list.All(n => n is JsonValue v && v.TryGetValue<string>(out _)) =>
            OfNames(list.Select(n => n!.GetValue<string>()).ToArray()),
        JsonValue value when value.TryGetValue<string>(out var regex) => OfRegex(regex),
        _ => throw new LoomDataException($"{source}: target_modules must be a list of module names or a regular expression"),
    };
}
