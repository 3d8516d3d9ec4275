using System.CommandLine;
using Loom.Core;
using Loom.Text.Watermarks;

namespace Loom.Cli.Commands;

/// <summary>
/// The watermark's key, γ, δ and seeding as flags: <c>--watermark-key</c>… on <c>loom sample</c>, <c>chat</c> and
/// <c>serve</c>, plain <c>--key</c>… on <c>loom watermark detect</c> (the <paramref name="prefix"/> is put before each name).
/// </summary>
public sealed class WatermarkCliOptions(string prefix)
{
    public Option<string?> Key { get; } = new($"{prefix}key") { Description = "Watermark secret key (Kirchenbauer et al. 2023)" };
    public Option<double?> Gamma { get; } =
        new($"{prefix}gamma") { Description = "Watermark green-list fraction γ in (0, 1) (default 0.25)" };
    public Option<double?> Delta { get; } = new($"{prefix}delta") { Description = "Watermark bias δ added to green logits (default 2)" };
    public Option<string?> Seeding { get; } =
        new($"{prefix}seeding") { Description = "Watermark green-list seeding: previous-token (default) or self-hash" };

    public IEnumerable<Option> All => [Key, Gamma, Delta, Seeding];

    /// <summary>
    /// <paramref name="current"/> (e.g. a checkpoint's generation.json) with the flags given applied on a copy; a new
    /// watermark when only the key flag starts one. γ, δ or seeding without any key is an error.
    /// </summary>
    public WatermarkOptions? Apply(ParseResult parse, WatermarkOptions? current)
    {
        var key = parse.GetValue(Key);
        var gamma = parse.GetValue(Gamma);
        var delta = parse.GetValue(Delta);
        var seeding = parse.GetValue(Seeding);
        if (key is null && current is null)
        {
            if (gamma is not null || delta is not null || seeding is not null)
                throw new LoomUsageException($"{Key.Name}: needed with {Gamma.Name}, {Delta.Name} or {Seeding.Name}");
            return null;
        }
        var options = current?.Clone() ?? new WatermarkOptions();
        if (key is not null) options.Key = key;
        if (gamma is { } g) options.Gamma = g;
        if (delta is { } d) options.Delta = d;
        if (seeding is not null) options.Seeding = WatermarkOptions.ParseSeeding(seeding);
        options.Validate();
        return options;
    }
}
