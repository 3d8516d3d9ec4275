using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// What an RBM trained on <see cref="BarsAndStripes"/> can be checked against, since the true distribution is known:
/// the exact mean NLL of the patterns (log Z by enumeration) beside the optimum ln(2ⁿ⁺¹ − 2), their difference (the
/// KL divergence from the data distribution to the model), the AIS estimate of log Z beside the exact value, and of
/// <see cref="SampleChains"/> independent Gibbs chains (from the base-rate model, the run's sample steps each) the
/// fraction whose last binary state is a valid pattern and how many distinct patterns they reach.
/// </summary>
public static class RbmBarsAndStripesCheck
{
    /// <summary>The Gibbs chains sampled for the valid fraction and the coverage.</summary>
    public const int SampleChains = 1000;

    /// <summary>Adds the metrics to <paramref name="metrics"/>; returns the chains' binary samples [SampleChains, n·n].</summary>
    public static Tensor Measure(RbmModel model, int size, long seed, Dictionary<string, double> metrics, TrainingContext context)
    {
        using var oneThread = SingleThreadScope.Enter();   // a thousand Gibbs steps of 16 × 32: one thread is faster
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        double optimum = BarsAndStripes.OptimalNll(size);
        metrics["optimal_nll"] = optimum;
        metrics["patterns_total"] = BarsAndStripes.PatternCount(size);
        var p = model.Network.Parameters;
        if (RbmPartition.CanEnumerate(p))
        {
            double exactLogZ = model.LogPartition(context.Cancellation).LogZ;   // exact: a layer is small enough to enumerate
            var nll = (p.Copy(ScalarType.Float64).FreeEnergy(BarsAndStripes.Patterns(size).to(ScalarType.Float64)) + exactLogZ)
                .mean().ToDouble();
            metrics["exact_log_z"] = exactLogZ;
            metrics["exact_nll"] = nll;
            metrics["kl_data_to_model"] = nll - optimum;
            var watch = Stopwatch.StartNew();
            var ais = AnnealedImportanceSampling.LogZ(p, model.BaseVisibleBias, model.Config.Ais, context.Cancellation);
            metrics["ais_log_z"] = ais.LogZ;
            metrics["ais_log_z_stderr"] = ais.StandardError;
            context.Say($"rbm: bars and stripes {size}x{size}: exact NLL {nll:F3} nats (optimum ln {metrics["patterns_total"]} = "
                + $"{optimum:F3}); log Z exact {exactLogZ:F3}, AIS {ais.LogZ:F3} ± {ais.StandardError:F3} "
                + $"({watch.Elapsed.TotalSeconds:F1} s)");
        }
        var (samples, valid, covered) = Sample(p, model.BaseVisibleBias, size, model.Config.SampleSteps, seed);
        metrics["valid_sample_fraction"] = valid;
        metrics["patterns_covered"] = covered;
        context.Say($"rbm: {SampleChains} Gibbs chains of {model.Config.SampleSteps} steps: {valid:P1} valid patterns, "
            + $"{covered} of {metrics["patterns_total"]} patterns reached");
        return samples.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="SampleChains"/> Gibbs chains of <paramref name="steps"/> steps from the base-rate model
    /// <paramref name="baseBias"/>: their last binary states [SampleChains, n·n], the fraction that are valid patterns and
    /// the distinct patterns among them.
    /// </summary>
    public static (Tensor Samples, double ValidFraction, int Covered) Sample(RbmParameters p, Tensor baseBias, int size, int steps,
        long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = Seeding.Generator(seed, "rbm-bars-stripes");
        var start = torch.bernoulli(torch.sigmoid(baseBias.to(p.Weight.dtype).expand(SampleChains, -1)), generator: generator);
        var samples = p.Gibbs(start, steps, generator).Sample;
        double valid = BarsAndStripes.IsPattern(samples, size).to(ScalarType.Float64).mean().ToDouble();
        int covered = BarsAndStripes.DistinctPatterns(samples, size);
        return (samples.MoveToOuterDisposeScope(), valid, covered);
    }
}
