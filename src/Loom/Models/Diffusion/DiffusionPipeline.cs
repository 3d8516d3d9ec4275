using Loom.Core;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Diffusion.Samplers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>
/// The generic reverse-diffusion loop over any <see cref="Denoiser"/>, <see cref="NoiseSchedule"/> and
/// <see cref="IDiffusionSampler"/>: draws the starting noise from the seed (on the CPU, so devices agree), wraps the
/// network into a <see cref="DenoiseFunction"/> (prediction type, classifier-free guidance, clipping), and applies
/// image-to-image (start part-way) and inpainting (known pixels re-noised to each level, RePaint resampling).
/// </summary>
public sealed class DiffusionPipeline(Denoiser network, NoiseSchedule schedule, PredictionType prediction, long[] sampleShape, bool images)
{
    /// <summary>
    /// Range that denoised estimates x̂_0 are clipped to (model space): [−1, 1] for images; for vectors the model's
    /// training-data range with a margin, or none. At the noisiest levels x̂_0 = (x − √(1−ᾱ)ε̂)/√ᾱ multiplies ε̂'s
    /// error by 1/√ᾱ_T ≈ 157, which without a clip throws an occasional 2-D sample far off the data.
    /// </summary>
    public (double Low, double High)? ClipRange { get; init; } = images ? (-1, 1) : null;

    /// <summary>Runs a request and returns samples in model space ([−1, 1] for images), on the network's device.</summary>
    public Tensor Generate(DiffusionRequest request)
    {
        Validate(request);
        using var outer = torch.NewDisposeScope();
        var device = NetworkDevice();
        using var generator = new torch.Generator((ulong)request.Seed);
        long[] shape = [request.Count, .. sampleShape];
        Tensor Noise() => torch.randn(shape, generator: generator).to(device);

        var levels = request.Sampler.Levels(schedule);
        Tensor? known = request.Image is null ? null : ToModelSpace(request.Image).to(device).expand(shape);
        var mask = request.Mask?.to(ScalarType.Float32).to(device);
        if (known is not null && mask is null)
            levels = SamplingPlan.FromStrength(levels, request.Strength);
        var denoise = CreateDenoiser(request, device);
        var sampler = request.Sampler.Create();

        network.eval();
        using var noGrad = torch.no_grad();
        var x = request.InitialNoise?.to(ScalarType.Float32).to(device) ?? Noise();
        if (known is not null && mask is null)
            x = levels[0].Alpha * known + levels[0].NoiseScale * x;
        int steps = levels.Count - 1;
        for (int i = 0; i < steps; i++)
        {
            request.Cancellation.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            Tensor next = x;
            for (int u = 0; u < request.Resample; u++)
            {
                if (known is not null && mask is not null)
                    x = mask * (levels[i].Alpha * known + levels[i].NoiseScale * Noise()) + (1 - mask) * x;
                next = sampler.Step(x, i, levels, denoise, Noise);
                if (u + 1 < request.Resample && !levels[i + 1].IsClean)
                {
                    // RePaint: diffuse one step forward again, q(x_i | x_{i+1}), and repeat.
                    double ratio = levels[i].AlphaBar / levels[i + 1].AlphaBar;
                    x = Math.Sqrt(ratio) * next + Math.Sqrt(1 - ratio) * Noise();
                    sampler.Reset();
                }
                else break;
            }
            x = next.MoveToOuterDisposeScope();
            request.Progress?.Invoke(i + 1, steps);
        }
        if (known is not null && mask is not null)
            x = mask * known + (1 - mask) * x;
        sampler.Reset();
        return x.MoveToOuterDisposeScope();
    }

    private Device NetworkDevice()
    {
        foreach (var (_, p) in network.named_parameters())
        {
            var device = p.device;
            return device;
        }
        return torch.CPU;
    }

    /// <summary>Model space → data space: images from [−1, 1] to [0, 1] (clamped).</summary>
    public Tensor ToDataSpace(Tensor x) => images ? ((x + 1) / 2).clamp(0, 1) : x.alias();

    /// <summary>Data space → model space: images from [0, 1] to [−1, 1].</summary>
    public Tensor ToModelSpace(Tensor x)
    {
        var f = x.to(ScalarType.Float32);
        if (f.dim() == sampleShape.Length) f = f.unsqueeze(0);
        if (!f.shape.Skip(1).SequenceEqual(sampleShape))
            throw LoomUsageException.ForOption("Image", $"shape [{string.Join(", ", f.shape.Skip(1))}] does not match the model's samples "
                + $"[{string.Join(", ", sampleShape)}]");
        return images ? f * 2 - 1 : f;
    }

    private DenoiseFunction CreateDenoiser(DiffusionRequest request, Device device)
    {
        bool conditional = network.NumClasses > 0;
        Tensor? labels = request.Labels is null ? null : torch.tensor(request.Labels.Select(l => (long)l).ToArray(), device: device);
        Tensor? nullLabels = conditional ? torch.full([request.Count], network.NumClasses, ScalarType.Int64, device: device) : null;
        bool guided = labels is not null && request.Guidance != 1.0;
        var range = (request.ClipDenoised ?? true) ? ClipRange : null;
        return (x, level) =>
        {
            long n = x.shape[0];
            var t = torch.full([n], level.Timestep, ScalarType.Float32, device: device);
            var output = Predict(x, t, labels, nullLabels, guided ? request.Guidance : null);
            if (!torch.isfinite(output).all().item<bool>())
                throw new LoomException($"the denoiser returned NaN or infinity at timestep {level.Timestep:F1}; the input or the weights "
                    + "are not finite");
            var (x0, eps) = Predictions.Split(prediction, output, x, level.AlphaBar);
            if (range is { } r)
            {
                x0 = x0.clamp(r.Low, r.High);
                eps = (x - level.Alpha * x0) / level.NoiseScale;
            }
            return (x0, eps);
        };
    }

    private Tensor Predict(Tensor x, Tensor t, Tensor? labels, Tensor? nullLabels, double? guidance)
    {
        if (guidance is not { } w)
            return network.Predict(x, t, labels ?? nullLabels);
        var both = network.Predict(torch.cat([x, x]), torch.cat([t, t]), torch.cat([labels!, nullLabels!]));
        var parts = both.chunk(2);
        return parts[1] + w * (parts[0] - parts[1]);
    }

    private void Validate(DiffusionRequest request)
    {
        if (request.Count < 1) throw LoomUsageException.ForOption(nameof(request.Count), $"must be at least 1, got {request.Count}");
        if (request.Resample < 1) throw LoomUsageException.ForOption(nameof(request.Resample),
            $"must be at least 1, got {request.Resample}");
        if (request.Guidance < 0) throw LoomUsageException.ForOption(nameof(request.Guidance),
            $"must be non-negative, got {request.Guidance}");
        if (request.Labels is { } labels)
        {
            if (network.NumClasses == 0) throw LoomUsageException.ForOption("Class", "this model was trained without classes");
            if (labels.Count != request.Count) throw new ArgumentException("one label per sample is needed");
            foreach (var l in labels)
                if (l < 0 || l >= network.NumClasses)
                    throw LoomUsageException.ForOption("Class", $"{l} is out of range; this model has classes 0..{network.NumClasses - 1}");
        }
        if (request.Mask is not null && request.Image is null) throw LoomUsageException.ForOption(nameof(request.Mask),
            "needs Image (the image to inpaint)");
        if (request.InitialNoise is { } noise && (noise.shape[0] != request.Count || !noise.shape.Skip(1).SequenceEqual(sampleShape)))
            throw new ArgumentException("initial noise must be [Count, …sample shape]");
    }

    /// <summary>Spherical interpolation between two noise tensors (keeps the norm a Gaussian sample expects).</summary>
    public static Tensor Slerp(Tensor a, Tensor b, double t)
    {
        using var scope = torch.NewDisposeScope();
        var af = a.flatten();
        var bf = b.flatten();
        double cos = (af.dot(bf) / (af.norm() * bf.norm())).ToDouble();
        double theta = Math.Acos(Math.Clamp(cos, -1, 1));
        if (theta < 1e-6) return ((1 - t) * a + t * b).MoveToOuterDisposeScope();
        return ((Math.Sin((1 - t) * theta) * a + Math.Sin(t * theta) * b) / Math.Sin(theta)).MoveToOuterDisposeScope();
    }
}
