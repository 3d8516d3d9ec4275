namespace Loom.Models.Hmm;

/// <summary>One batch's E-step results: log-likelihood per sequence <c>[N]</c>, posteriors <c>[T, N, K]</c> (time-major,
/// zero at padding), expected start counts <c>[K]</c> and expected transition counts <c>[K, K]</c> (from, to).</summary>
internal sealed record HmmEStepStatistics(double[] LogLik, double[] Gamma, double[] StartCounts, double[] TransCounts);
