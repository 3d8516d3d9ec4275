using Loom.Models.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Diffusion;

/// <summary>A categorical block held at one class while sampling (a condition).</summary>
public sealed record FixedCategory(CategoricalBlock Block, int Index);

/// <summary>A coordinate of the numeric part held at the encoded value <paramref name="Value"/> while sampling (a condition).</summary>
public sealed record FixedNumber(int Index, double Value);

/// <summary>
/// TabDDPM's two forward processes over one row on a shared cosine schedule (<see cref="NoiseSchedule"/>, T steps, indices
/// 0 … T − 1): Gaussian diffusion q(xₜ | x₀) = N(√ᾱₜ x₀, (1 − ᾱₜ) I) on the numeric part and multinomial diffusion
/// (<see cref="MultinomialDiffusion"/>) on each categorical block. The loss at a uniform timestep per row is the ε-MSE
/// (mean over numbers) plus the KL between the true and the model's multinomial posteriors summed over blocks and divided by
/// their number (at t = 0, −log p(x₀ | x₁)), as in the paper's code. Sampling runs both reverse processes from N(0, I) and
/// uniform classes: the Gaussian step uses the posterior mean of x̂₀ = (xₜ − √(1 − ᾱₜ) ε̂)/√ᾱₜ, clipped
/// to the encoding's support ±5.2 (DDPM's clip_denoised: at the last steps of the cosine schedule 1/√αₜ amplifies ε̂'s
/// error), with the posterior variance β̃ₜ (none at t = 0); each block draws xₜ₋₁ from p(xₜ₋₁ | xₜ). A fixed block is
/// replaced at every step by a draw from q(xₜ₋₁ | x₀ = its class) (RePaint-style inpainting), so the other columns are
/// denoised towards rows that have it. A fixed number is inpainted the same way: after every step its coordinate is replaced
/// by a draw from q(xₜ₋₁ | x₀ = its value), which at the last step is the value itself.
/// </summary>
public sealed class TabDdpmProcess
{
    public TabDdpmProcess(int numbers, IReadOnlyList<CategoricalBlock> blocks, int timesteps)
    {
        Numbers = numbers;
        Blocks = blocks;
        Schedule = new NoiseSchedule(BetaScheduleKind.Cosine, timesteps);
    }

    /// <summary>The largest |z| an encoded number can have (Φ⁻¹(1 − 10⁻⁷)): x̂₀ is clipped to it while sampling.</summary>
    public static readonly double Support = -Distributions.NormalQuantile(1e-7);

    public int Numbers { get; }
    public IReadOnlyList<CategoricalBlock> Blocks { get; }
    public NoiseSchedule Schedule { get; }
    public int Timesteps => Schedule.Timesteps;

    /// <summary>ᾱ at index t, and 1 at t = −1.</summary>
    public double AlphaBar(long t) => t < 0 ? 1 : Schedule.AlphaBars[t];

    /// <summary>
    /// A draw of the numeric part from q(xₜ | x₀) = N(√ᾱₜ x₀, (1 − ᾱₜ) I) given standard normal <paramref name="noise"/>.
    /// </summary>
    public static Tensor ForwardNumbers(Tensor x0, Tensor alphaBar, Tensor noise) => alphaBar.sqrt() * x0 + (1 - alphaBar).sqrt() * noise;

    /// <summary>The training loss of rows <paramref name="x0"/> [n, width] with its two parts (per-row means).</summary>
    public (Tensor Loss, double Mse, double Kl) Loss(TabDdpmDenoiser denoiser, Tensor x0)
    {
        long n = x0.shape[0];
        var device = x0.device;
        var t = torch.randint(0, Timesteps, [n], dtype: ScalarType.Int64, device: device);
        var alphaBars = torch.tensor(Schedule.AlphaBars, device: device).to(x0.dtype);
        var alphaBarsPrevious = torch.cat([torch.ones(1, x0.dtype, device), alphaBars.narrow(0, 0, Timesteps - 1)]);
        var alphaBar = alphaBars.index_select(0, t).unsqueeze(1);
        var alphaBarPrevious = alphaBarsPrevious.index_select(0, t).unsqueeze(1);
        var alpha = alphaBar / alphaBarPrevious;
        var parts = new List<Tensor>();
        Tensor? noise = null;
        if (Numbers > 0)
        {
            noise = torch.randn([n, Numbers], x0.dtype, device);
            parts.Add(ForwardNumbers(x0.narrow(1, 0, Numbers), alphaBar, noise));
        }
        foreach (var block in Blocks)
            parts.Add(MultinomialDiffusion.Draw(MultinomialDiffusion.Forward(x0.narrow(1, block.Start, block.Width), alphaBar), null));
        var xt = torch.cat(parts, 1);
        var output = denoiser.Predict(xt, t.to(x0.dtype));
        var loss = torch.zeros([], x0.dtype, device);
        double mse = 0, kl = 0;
        if (noise is not null)
        {
            var error = (output.narrow(1, 0, Numbers) - noise).square().mean();
            mse = error.item<float>();
            loss = loss + error;
        }
        if (Blocks.Count > 0)
        {
            var total = torch.zeros([n], x0.dtype, device);
            foreach (var block in Blocks)
            {
                var blockXt = xt.narrow(1, block.Start, block.Width);
                var predicted = output.narrow(1, block.Start, block.Width).softmax(1);
                var q = MultinomialDiffusion.Posterior(blockXt, x0.narrow(1, block.Start, block.Width), alpha, alphaBarPrevious);
                var p = MultinomialDiffusion.Posterior(blockXt, predicted, alpha, alphaBarPrevious);
                total = total + MultinomialDiffusion.Kl(q, p);
            }
            var mean = total.mean() / Blocks.Count;
            kl = mean.item<float>();
            loss = loss + mean;
        }
        return (loss, mse, kl);
    }

    /// <summary>
    /// <paramref name="count"/> rows [count × width] by running both reverse processes; the numeric noise (and the start) is
    /// scaled by <paramref name="temperature"/>; <paramref name="fixedCategories"/> and <paramref name="fixedNumbers"/> are
    /// held as described above.
    /// </summary>
    public Tensor Sample(TabDdpmDenoiser denoiser, int count, Generator generator, double temperature,
        IReadOnlyList<FixedCategory> fixedCategories, IReadOnlyList<FixedNumber> fixedNumbers, Device device)
    {
        var known = new float[Numbers];
        var held = new float[Numbers];
        foreach (var f in fixedNumbers) (known[f.Index], held[f.Index]) = ((float)f.Value, 1);
        var knownNumbers = torch.tensor(known, [1, Numbers]).to(device);
        var mask = torch.tensor(held, [1, Numbers]).to(device);
        // The fixed coordinates replaced by a draw from q(x at ᾱ | x₀ = value); the others kept.
        Tensor Inpaint(Tensor numbers, double alphaBar) => fixedNumbers.Count == 0 ? numbers
            : mask * ForwardNumbers(knownNumbers, Scalar(alphaBar, device), torch.randn([count, Numbers], generator: generator).to(device))
                + (1 - mask) * numbers;
        var numbers = Inpaint(torch.randn([count, Numbers], generator: generator).to(device) * temperature, AlphaBar(Timesteps - 1));
        var blocks = Blocks.Select(b => MultinomialDiffusion.Draw(torch.full([count, b.Width], 1.0 / b.Width, device: device), generator))
            .ToArray();
        var targets = Blocks.Select(b => fixedCategories.FirstOrDefault(f => f.Block == b) is { } fixedClass
            ? nn.functional.one_hot(torch.full([count], fixedClass.Index, ScalarType.Int64, device), b.Width).to(ScalarType.Float32)
            : null).ToArray();
        for (int i = 0; i < blocks.Length; i++)
            if (targets[i] is { } target)
                blocks[i] = MultinomialDiffusion.Draw(
                    MultinomialDiffusion.Forward(target, Scalar(AlphaBar(Timesteps - 1), device)), generator);
        for (int t = Timesteps - 1; t >= 0; t--)
        {
            using var scope = torch.NewDisposeScope();
            double alphaBar = AlphaBar(t), alphaBarPrevious = AlphaBar(t - 1), alpha = alphaBar / alphaBarPrevious, beta = 1 - alpha;
            var xt = torch.cat([numbers, .. blocks], 1);
            var output = denoiser.Predict(xt, torch.full([count], (float)t, device: device));
            var epsilon = output.narrow(1, 0, Numbers);
            var x0 = ((numbers - Math.Sqrt(1 - alphaBar) * epsilon) / Math.Sqrt(alphaBar)).clamp(-Support, Support);
            var mean = beta * Math.Sqrt(alphaBarPrevious) / (1 - alphaBar) * x0
                + (1 - alphaBarPrevious) * Math.Sqrt(alpha) / (1 - alphaBar) * numbers;
            double variance = beta * (1 - alphaBarPrevious) / (1 - alphaBar);
            var next = t > 0
                ? mean + Math.Sqrt(variance) * temperature * torch.randn([count, Numbers], generator: generator).to(device)
                : mean;
            numbers = Inpaint(next, alphaBarPrevious).MoveToOuterDisposeScope();
            for (int i = 0; i < blocks.Length; i++)
            {
                var block = Blocks[i];
                var probabilities = targets[i] is { } target
                    ? MultinomialDiffusion.Forward(target, Scalar(alphaBarPrevious, device))
                    : MultinomialDiffusion.Posterior(blocks[i], output.narrow(1, block.Start, block.Width).softmax(1),
                        Scalar(alpha, device), Scalar(alphaBarPrevious, device));
                blocks[i] = MultinomialDiffusion.Draw(probabilities, generator).MoveToOuterDisposeScope();
            }
        }
        return torch.cat([numbers, .. blocks], 1);
    }

    private static Tensor Scalar(double value, Device device) => torch.full([1, 1], (float)value, device: device);
}
