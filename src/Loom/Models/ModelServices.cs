namespace Loom.Models;

/// <summary>Typed capability queries and asynchronous sampling for every <see cref="IGenerativeModel"/>.</summary>
public static class ModelServices
{
    /// <summary>The model's <typeparamref name="T"/> capability, or null (<see cref="IGenerativeModel.GetService"/>).</summary>
    public static T? GetService<T>(this IGenerativeModel model, object? serviceKey = null) where T : class =>
        model.GetService(typeof(T), serviceKey) as T;

    /// <summary>
    /// Samples on a thread of its own (TorchSharp's dispose scopes belong to a thread, so model work never crosses an
    /// <c>await</c>), with progress and cancellation where the model offers them (<see cref="IProgressiveSampler"/>);
    /// other models are checked for cancellation before they start. One call at a time per model: a model is not
    /// thread-safe.
    /// </summary>
    public static Task<SampleSet> SampleAsync(this IGenerativeModel model, SampleRequest request,
        IProgress<SampleProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        return ModelThread.RunAsync(() => model.SampleNow(request, progress, cancellation), $"loom sample {model.Kind}", cancellation);
    }

    /// <summary>Samples on this thread, through <see cref="IProgressiveSampler"/> when the model offers it.</summary>
    internal static SampleSet SampleNow(this IGenerativeModel model, SampleRequest request, IProgress<SampleProgress>? progress,
        CancellationToken cancellation) =>
        model.GetService<IProgressiveSampler>() is { } sampler ? sampler.Sample(request, progress, cancellation) : model.Sample(request);

    /// <summary>
    /// Scores data held in memory (<see cref="ILikelihoodModel.ScoreContent"/>) on a thread of its own, passing
    /// <paramref name="cancellation"/> to the model. One call at a time per model, as for sampling.
    /// </summary>
    public static Task<ScoreReport> ScoreAsync(this ILikelihoodModel model, string data, string source = "data",
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        return ModelThread.RunAsync(() => model.ScoreContent(data, source, cancellation), "loom score", cancellation);
    }
}
