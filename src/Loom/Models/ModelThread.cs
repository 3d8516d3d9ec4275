namespace Loom.Models;

/// <summary>
/// Runs model work on a thread of its own and awaits it: TorchSharp's dispose scopes belong to a thread, so model work
/// never crosses an <c>await</c>, and a caller's thread pool is not held by long tensor work.
/// </summary>
internal static class ModelThread
{
    /// <summary>
    /// Runs <paramref name="work"/> on a new background thread named <paramref name="name"/>; the task is cancelled when
    /// the work throws <see cref="OperationCanceledException"/> for <paramref name="cancellation"/>, or at once when it was
    /// cancelled before the work started.
    /// </summary>
    public static Task<T> RunAsync<T>(Func<T> work, string name, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (cancellation.IsCancellationRequested)
            return Task.FromCanceled<T>(cancellation);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(work());
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
        { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }
}
