using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// The fantasy particles of persistent contrastive divergence (Tieleman 2008): one visible state per batch row that the
/// negative phase continues from step to step instead of restarting at the data. A module with one buffer
/// (<c>visible</c>), so a run's trainer state saves it and a resumed run continues the same chains.
/// </summary>
public sealed class PersistentChains : nn.Module
{
    /// <summary>The prefix of the chains' tensor in trainer state.</summary>
    public const string StatePrefix = "pcd.";

    private readonly Tensor visible;

    /// <summary><paramref name="start"/> [batch, V]: the chains' first states (copied).</summary>
    public PersistentChains(Tensor start) : base("pcd_chains")
    {
        visible = start.detach().clone();
        register_buffer("visible", visible);
    }

    /// <summary>The chains' current states.</summary>
    public Tensor Visible => visible;

    /// <summary>Replaces the states with <paramref name="next"/> (same shape).</summary>
    public void Update(Tensor next)
    {
        using var noGrad = torch.no_grad();
        visible.copy_(next);
    }
}
