using System.Runtime.CompilerServices;
using Loom.Core;
using Loom.Server.Protocol;
using Loom.Text.Serving;

namespace Loom.Server.Models;

/// <summary>
/// Runs the model work of the routes that use a model directly (images, <c>/v1/loom/sample</c>, <c>/v1/loom/score</c>):
/// one request at a time per loaded model, others wait in line (at most <see cref="LoomServerOptions.QueueLength"/>,
/// then 429). The work itself runs on a thread of its own (the library's async calls); a client that disconnects
/// stops waiting, and stops the work where the model can stop (diffusion steps). Library errors about an option become
/// 400s naming the request field.
/// </summary>
public static class ModelWork
{
    private static readonly ConditionalWeakTable<LoadedModel, Line> Lines = new();

    /// <summary>Runs <paramref name="work"/> when the model is free. <paramref name="fields"/> maps the library's option
    /// names (e.g. <c>Class</c>) to request fields; <paramref name="dataField"/> is the field data errors are about.</summary>
    public static async Task<T> RunAsync<T>(LoadedModel model, int queueLength, IReadOnlyDictionary<string, string> fields,
        string? dataField, Func<CancellationToken, Task<T>> work, CancellationToken cancellation)
    {
        var line = Lines.GetValue(model, _ => new Line());
        if (Interlocked.Increment(ref line.Waiting) > queueLength + 1)
        {
            Interlocked.Decrement(ref line.Waiting);
            throw new EngineQueueFullException(queueLength);
        }
        try
        {
            await line.Gate.WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref line.Waiting);
            throw;
        }
        try
        {
            return await work(cancellation).ConfigureAwait(false);
        }
        catch (LoomException e) when (e is LoomUsageException or LoomDataException)
        {
            throw ToApiError(e, fields, dataField);
        }
        finally
        {
            line.Gate.Release();
            Interlocked.Decrement(ref line.Waiting);
        }
    }

    /// <summary>A 400 naming the field of the option the error is about (or <paramref name="dataField"/>).</summary>
    public static ApiError ToApiError(LoomException e, IReadOnlyDictionary<string, string> fields, string? dataField)
    {
        string? field = e.Option is { } option ? fields.GetValueOrDefault(option, option.ToLowerInvariant())
            : e is LoomDataException ? dataField : null;
        return new ApiError(400, e.Message, "invalid_request_error", field, "invalid_value");
    }

    /// <summary>One model's gate and the requests holding it or waiting for it.</summary>
    private sealed class Line
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Waiting;
    }
}
