using System.Text.Json.Nodes;
using Loom.IO;
using Loom.Models;
using Loom.Server.Models;
using Loom.Server.Protocol;
using Loom.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Loom.Server.Sampling;

/// <summary>
/// <c>POST /v1/loom/sample</c>: samples any family but the neural text models (those sample through
/// <c>/v1/completions</c>, where their engine owns the model) with the library's
/// <see cref="ModelServices.SampleAsync"/>: <c>{model, n, seed, length, prompt, class, temperature, sampler, steps,
/// guidance, eta}</c> → <c>{object, model, seed, type, …}</c> with the samples as <see cref="SampleSetJson"/> writes them
/// (images as base64 PNGs).
/// </summary>
public sealed class SampleEndpoints : ILoomEndpoints
{
    private const int MaxSamples = 1024;
    private const int MaxLength = 100_000;

    public void Map(IEndpointRouteBuilder routes) => routes.MapLoom("POST", "/v1/loom/sample", HandleAsync);

    private static async Task HandleAsync(HttpContext context)
    {
        var state = context.RequestServices.GetRequiredService<LoomServerState>();
        var request = await JsonRequest.ReadAsync(context).ConfigureAwait(false);
        var modelId = request.RequiredString("model");
        var prompt = request.String("prompt");
        int length = (int)(request.Integer("length", 1, MaxLength) ?? new SampleRequest().Length);
        using var lease = await state.Store.AcquireAsync(modelId, context.RequestAborted).ConfigureAwait(false);
        var model = lease.Model;
        if (model.Text is not null)
            throw ApiError.BadField("model", $"The model '{model.Id}' is a neural text model: sample it with /v1/completions "
                + "or /v1/chat/completions.", "model_not_supported");
        bool images = GeneratedImages.Makes(model.Model);
        var generation = SamplingFields.Read(request, model.Model, MaxSamples, prompt) with
        {
            Watermark = state.Options.ImageWatermark,
            Memorization = images ? state.ImageMemorizationFor(GeneratedImages.ShapeOf(model.Model)) : null,
        };
        var sampling = SamplingFields.ToSampleRequest(model.Model, generation) with { Length = length, Prompt = prompt };
        var samples = await ModelWork.RunAsync(model, state.Options.QueueLength, SamplingFields.Names, null, async cancellation =>
            images
                ? SampleSetJson.Images(
                    await GeneratedImages.GenerateAsync(model.Model, generation, null, cancellation).ConfigureAwait(false))
                : await SampleJson.SampleAsync(model.Model, sampling, null, cancellation).ConfigureAwait(false),
            context.RequestAborted).ConfigureAwait(false);
        var body = new JsonObject { ["object"] = "loom.sample", ["model"] = model.Id, ["seed"] = generation.Seed };
        foreach (var (key, value) in samples.ToList())
        {
            samples.Remove(key);
            body[key] = value;
        }
        await JsonResponses.WriteAsync(context, body).ConfigureAwait(false);
    }
}
