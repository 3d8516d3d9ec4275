using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// The data an RBM sees, as rows [n, V] float32: Fashion-MNIST binarized once with a fixed seed (pixel intensity as the
/// probability of 1, the usual binarized-image benchmark), bars-and-stripes patterns and binary CSV rows as they are, and
/// real CSV rows standardized for Gaussian visible units.
/// </summary>
public static class RbmData
{
    /// <summary>
    /// Loads <paramref name="spec"/> (fashion-mnist, bars-and-stripes (<see cref="BarsAndStripes"/>), a toy set or a numeric
    /// CSV) with <paramref name="options"/>.
    /// </summary>
    public static TrainingData Load(string spec, DataLoadOptions options)
    {
        if (!File.Exists(spec) && BarsAndStripes.TryParse(spec, out int size))
            return options.Limit > 0
                ? throw LoomUsageException.ForOption("TrainLimit", "applies to fashion-mnist only; bars-and-stripes is every pattern once")
                : BarsAndStripes.Load(size);
        return TrainingData.Load(spec, options);
    }

    /// <summary>The visible type the data call for: binary for images and 0/1 tables, Gaussian otherwise.</summary>
    public static RbmVisible Infer(TrainingData data) =>
        data.Images || IsBinary(data.Examples) ? RbmVisible.Bernoulli : RbmVisible.Gaussian;

    /// <summary>Whether every value of <paramref name="x"/> is 0 or 1.</summary>
    public static bool IsBinary(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return x.eq(0).logical_or(x.eq(1)).all().ToBoolean();
    }

    /// <summary>
    /// Rows for binary units: images flattened and binarized with <paramref name="seed"/>; other data must already be 0/1
    /// (<paramref name="source"/> names it in the error).
    /// </summary>
    public static Tensor Binary(Tensor examples, bool images, long seed, string source)
    {
        using var scope = torch.NewDisposeScope();
        var x = examples.to(ScalarType.Float32).reshape(examples.shape[0], -1);
        if (images)
        {
            if (x.numel() > 0 && (x.min().ToDouble() < 0 || x.max().ToDouble() > 1))
                throw new LoomDataException($"{source}: image pixels must lie in [0, 1] to be binarized");
            using var generator = Seeding.Generator(seed, "binarize");
            return torch.bernoulli(x, generator: generator).MoveToOuterDisposeScope();
        }
        if (!IsBinary(x))
            throw new LoomDataException($"{source}: a Bernoulli RBM needs 0/1 values; this data has others "
                + "(set Visible to gaussian for real values)");
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Column means and standard deviations (a constant column gets 1) of <paramref name="x"/> [n, V].</summary>
    public static (Tensor Mean, Tensor Std) Moments(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var mean = x.mean([0]);
        var std = x.std(0, unbiased: false);
        std = torch.where(std.gt(1e-8), std, torch.ones_like(std));
        return (mean.MoveToOuterDisposeScope(), std.MoveToOuterDisposeScope());
    }
}
