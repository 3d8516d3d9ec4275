using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Loom.Core;
using Loom.Training.Runs;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train KIND</c> for a trainable family that has no command of its own: one flag per property of the family's
/// recipe record (<c>LearningRate</c> → <c>--learning-rate</c>), typed as the property is, plus the options every run
/// has (<see cref="CliTraining"/>), and <c>--preset NAME</c> when the family declares presets (<see cref="RecipePresets"/>:
/// the preset's settings under the config file's and the flags'). A new family needs no CLI code; a command of its own only
/// adds short flags and help.
/// </summary>
public static class RecipeTrainCommand
{
    /// <summary>The command for <paramref name="family"/> (named <paramref name="name"/>, by default its kind).</summary>
    public static Command Create(ITrainableFamily family, string? name = null)
    {
        var shared = new CliTraining();
        var reserved = shared.All.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        var command = new Command(name ?? family.Kind,
            $"{family.Kind}: trains from its recipe ({family.RecipeType.Name}); flags are the recipe's properties");
        var properties = new List<(string Json, Option Option, Func<ParseResult, JsonNode?> Read)>();
        foreach (var property in RecipeProperties(family.RecipeType))
        {
            var json = RecipeJson.Options.PropertyNamingPolicy!.ConvertName(property.Name);
            var flag = "--" + JsonNamingPolicy.KebabCaseLower.ConvertName(property.Name);
            if (reserved.Contains(flag) || FlagFor(property, flag) is not { } entry)
                continue;
            command.Options.Add(entry.Option);
            properties.Add((json, entry.Option, entry.Read));
        }
        var preset = family.Presets.Count == 0 || properties.Any(p => p.Option.Name == "--preset") ? null
            : new Option<string?>("--preset")
            {
                Description = $"Start from a named recipe ({string.Join(" | ", family.Presets.Keys.Order(StringComparer.Ordinal))}); "
                    + "flags and --config override its settings",
            };
        if (preset is not null) command.Options.Add(preset);
        foreach (var option in shared.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var flags = new JsonObject();
            foreach (var (json, option, read) in properties)
            {
                CliContext.OptionFlags?.Record(json, option.Name);
                if (parse.GetResult(option) is { Implicit: false } && read(parse) is { } value)
                    flags[json] = value;
            }
            var recipe = RecipePresets.Apply(family, preset is null ? null : parse.GetValue(preset), shared.Recipe(parse, flags));
            using var progress = new ConsoleProgress($"train {family.Kind}", Console.Error);
            var context = shared.Context(parse, progress, console);
            using var outcome = family.Train(recipe, context);
            CliTraining.Report(outcome, context, console);
            return 0;
        });
        return command;
    }

    /// <summary>The recipe's public settable properties that JSON reads (those marked <c>[JsonIgnore]</c> left out).</summary>
    public static IEnumerable<PropertyInfo> RecipeProperties(Type recipe) =>
        recipe.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetCustomAttribute<JsonIgnoreAttribute>() is null);

    private static (Option Option, Func<ParseResult, JsonNode?> Read)? FlagFor(PropertyInfo property, string flag)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        string description = $"Recipe property {property.Name}";
        if (type == typeof(string)) return Typed<string>(flag, description);
        if (type == typeof(int)) return Typed<int>(flag, description);
        if (type == typeof(long)) return Typed<long>(flag, description);
        if (type == typeof(double)) return Typed<double>(flag, description);
        if (type == typeof(bool)) return Typed<bool>(flag, description);
        if (type == typeof(int[]))
        {
            var list = new Option<string?>(flag) { Description = description + " (comma-separated integers)" };
            return (list, parse => parse.GetValue(list) is { } text ? Integers(flag, text) : null);
        }
        return null;
    }

    private static (Option, Func<ParseResult, JsonNode?>) Typed<T>(string flag, string description)
    {
        var option = new Option<T>(flag) { Description = description };
        return (option, parse => JsonSerializer.SerializeToNode(parse.GetValue(option)));
    }

    private static JsonArray Integers(string flag, string text)
    {
        try
        {
            return new JsonArray(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => (JsonNode)int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        }
        catch (FormatException)
        {
            throw new LoomUsageException($"{flag}: expected comma-separated integers, got '{text}'");
        }
    }
}
