using Loom.Models.WaveNet;

namespace Loom.Server.Sampling;

/// <summary>
/// Which stored models generate audio, read from their kind without loading weights: WaveNets. <c>GET /v1/models</c> lists
/// them with the capability <see cref="Capability"/>; they sample through <c>/v1/loom/sample</c>, which returns clips.
/// </summary>
public static class AudioModels
{
    public const string Capability = "loom.audio";

    /// <summary>True when a model of <paramref name="kind"/> generates audio clips.</summary>
    public static bool FromKind(string kind) => kind == WaveNetModel.KindName;
}
