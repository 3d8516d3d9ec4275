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
        if (cancellation.IsCancellationRequested)
            return Task.FromCanceled<SampleSet>(cancellation);
        var done = new TaskCompletionSource<SampleSet>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var sampler = model.GetService<IProgressiveSampler>();
                done.SetResult(sampler is not null ? sampler.Sample(request, progress, cancellation) : model.Sample(request));
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                done.SetCanceled(cancellation);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = $"loom sample {model.Kind}" };
        thread.Start();
        return done.Task;
    }
}
