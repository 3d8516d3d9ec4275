using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion.Networks;

/// <summary>
/// A network that maps a noisy sample, its (continuous) timestep and an optional class label to a prediction (ε, x_0
/// or v; the model's <see cref="PredictionType"/> says which). Labels are long ids in [0, NumClasses]; the id
/// NumClasses is the "no label" slot that classifier-free guidance trains by dropping labels.
/// </summary>
public abstract class Denoiser(string name) : nn.Module(name)
{
    /// <summary>Number of classes the network is conditioned on (0 = unconditional).</summary>
    public abstract int NumClasses { get; }

    /// <param name="x">[n, …] noisy samples.</param>
    /// <param name="timesteps">[n] float timesteps in [0, T−1].</param>
    /// <param name="labels">[n] long class ids, or null for an unconditional network.</param>
    public abstract Tensor Predict(Tensor x, Tensor timesteps, Tensor? labels);
}

/// <summary>Sinusoidal features of a timestep followed by a two-layer MLP (DDPM's time embedding).</summary>
public sealed class TimestepEmbedding : nn.Module
{
    private readonly int frequencies;
    private readonly TorchSharp.Modules.Linear linear_1;
    private readonly TorchSharp.Modules.Linear linear_2;

    public TimestepEmbedding(int frequencies, int width) : base("time_embedding")
    {
        this.frequencies = frequencies;
        linear_1 = nn.Linear(frequencies, width);
        linear_2 = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <summary>[n] timesteps → [n, frequencies] as [cos(t·f_k), sin(t·f_k)], f_k = 10000^(−k/(half)); float32 unless the
    /// timesteps are float64 (a float64 network).</summary>
    public static Tensor Sinusoidal(Tensor timesteps, int frequencies)
    {
        int half = frequencies / 2;
        var dtype = timesteps.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var exponents = torch.arange(half, dtype: dtype, device: timesteps.device) * (-Math.Log(10000.0) / half);
        var args = timesteps.to(dtype).unsqueeze(1) * exponents.exp().unsqueeze(0);
        return torch.cat([args.cos(), args.sin()], 1);
    }

    public Tensor forward(Tensor timesteps) =>
        linear_2.call(nn.functional.silu(linear_1.call(Sinusoidal(timesteps, frequencies))));
}
