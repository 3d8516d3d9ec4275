using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>Which way a CycleGAN translates: A→B uses G_AB, B→A uses G_BA.</summary>
public enum TranslationDirection
{
    AtoB,
    BtoA,
}

/// <summary>Parsing and naming of <see cref="TranslationDirection"/> (<c>a2b</c>, <c>b2a</c>).</summary>
public static class TranslationDirections
{
    public static TranslationDirection Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "a2b" or "atob" or "a-to-b" or "ab" => TranslationDirection.AtoB,
        "b2a" or "btoa" or "b-to-a" or "ba" => TranslationDirection.BtoA,
        _ => throw Core.LoomUsageException.ForOption("Direction", $"'{text}' is not a direction; use a2b or b2a"),
    };

    public static string Name(TranslationDirection direction) => direction == TranslationDirection.AtoB ? "a2b" : "b2a";

    public static TranslationDirection Reverse(TranslationDirection direction) =>
        direction == TranslationDirection.AtoB ? TranslationDirection.BtoA : TranslationDirection.AtoB;
}

/// <summary>
/// The four CycleGAN networks in one module, so their parameters are named <c>g_ab.*</c>, <c>g_ba.*</c>, <c>d_a.*</c>
/// and <c>d_b.*</c> (the checkpoint's keys). G_AB maps domain A to B and G_BA back; D_A tells real A images from
/// G_BA's output, D_B real B images from G_AB's. No network holds buffers (instance norm without running statistics).
/// The parameter lists are read afresh on every call, since moving the module (<c>to(device)</c>) replaces them.
/// </summary>
public sealed class CycleGanNetworks : nn.Module
{
    private readonly ResnetGenerator g_ab;
    private readonly ResnetGenerator g_ba;
    private readonly PatchDiscriminator d_a;
    private readonly PatchDiscriminator d_b;

    public CycleGanNetworks(CycleGanConfig config) : base("cyclegan")
    {
        config.Validate();
        g_ab = config.CreateGenerator();
        g_ba = config.CreateGenerator();
        d_a = config.CreateDiscriminator();
        d_b = config.CreateDiscriminator();
        RegisterComponents();
        if (config.ScalarType != ScalarType.Float32)
            this.to(config.ScalarType);
    }

    public ResnetGenerator GeneratorAtoB => g_ab;
    public ResnetGenerator GeneratorBtoA => g_ba;
    /// <summary>Scores images of domain A (real A vs G_BA(b)).</summary>
    public PatchDiscriminator DiscriminatorA => d_a;
    /// <summary>Scores images of domain B (real B vs G_AB(a)).</summary>
    public PatchDiscriminator DiscriminatorB => d_b;

    public ResnetGenerator Generator(TranslationDirection direction) => direction == TranslationDirection.AtoB ? g_ab : g_ba;

    /// <summary>Both generators' parameters (the "generators" training phase).</summary>
    public IReadOnlyList<Parameter> GeneratorParameters => Collect(g_ab, g_ba);

    /// <summary>Both discriminators' parameters (the "discriminators" training phase).</summary>
    public IReadOnlyList<Parameter> DiscriminatorParameters => Collect(d_a, d_b);

    /// <summary>Turns gradient tracking of the discriminators on or off (off while the generators train, which saves their weight
    /// gradients).</summary>
    public void TrackDiscriminatorGradients(bool on)
    {
        foreach (var p in DiscriminatorParameters) p.requires_grad = on;
    }

    private static List<Parameter> Collect(params nn.Module[] modules) =>
        modules.SelectMany(m => m.parameters()).Select(p => (Parameter)p).ToList();
}
