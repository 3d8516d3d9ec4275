namespace Loom.Models;

/// <summary>How far a sampling call has come: <see cref="Done"/> of <see cref="Total"/> units of <see cref="Unit"/>.</summary>
public sealed record SampleProgress(long Done, long Total, string Unit);

/// <summary>
/// A model whose sampling is long enough to report progress and stop early (diffusion's denoising steps, token by
/// token decoding). <see cref="ModelServices.SampleAsync"/> uses it when the model offers it.
/// </summary>
public interface IProgressiveSampler
{
    /// <summary>
    /// As <see cref="IGenerativeModel.Sample"/>, reporting progress and throwing <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellation"/> is cancelled.
    /// </summary>
    SampleSet Sample(SampleRequest request, IProgress<SampleProgress>? progress, CancellationToken cancellation);
}
