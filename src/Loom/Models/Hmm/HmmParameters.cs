using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>
/// One immutable set of HMM parameters: start probabilities <c>[K]</c>, transition matrix <c>[K, K]</c> (rows sum
/// to 1, row = from-state) and emissions, with their logs cached. Owns its tensors (float64, CPU).
/// </summary>
internal sealed class HmmParameters : IDisposable
{
    public HmmParameters(Tensor startProb, Tensor transMat, HmmEmissions emissions)
    {
        int k = emissions.States;
        if (startProb.dim() != 1 || startProb.shape[0] != k)
            throw new LoomDataException($"startprob: expected shape [{k}], got [{string.Join(", ", startProb.shape)}]");
        if (transMat.dim() != 2 || transMat.shape[0] != k || transMat.shape[1] != k)
            throw new LoomDataException($"transmat: expected shape [{k}, {k}], got [{string.Join(", ", transMat.shape)}]");
        using var scope = NewDisposeScope();
        StartProb = startProb.to(ScalarType.Float64).cpu().clone().DetachFromDisposeScope();
        TransMat = transMat.to(ScalarType.Float64).cpu().clone().DetachFromDisposeScope();
        LogStart = StartProb.log().DetachFromDisposeScope();
        LogTrans = TransMat.log().DetachFromDisposeScope();
        Emissions = emissions;
    }

    public int States => Emissions.States;

    public Tensor StartProb { get; }

    public Tensor TransMat { get; }

    public Tensor LogStart { get; }

    /// <summary>log transition matrix, <c>[from, to]</c>.</summary>
    public Tensor LogTrans { get; }

    public HmmEmissions Emissions { get; }

    public void Dispose()
    {
        StartProb.Dispose();
        TransMat.Dispose();
        LogStart.Dispose();
        LogTrans.Dispose();
        Emissions.Dispose();
    }
}
