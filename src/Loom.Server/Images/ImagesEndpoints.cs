using System.Text.Json.Nodes;
using Loom.Models;
using Loom.Server.Models;
using Loom.Server.Protocol;
using Loom.Server.Routing;
using Loom.Server.Sampling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Loom.Server.Images;

/// <summary>
/// <c>POST /v1/images/generations</c> in OpenAI's shape, through the library's <see cref="GeneratedImages"/>, for image
/// models (diffusion, GAN, VAE, VQ-VAE trained on images; text models are 400 <c>model_not_supported</c>). <c>prompt</c>
/// is required as OpenAI's is; a class-conditional model generates the class the prompt names (or the Loom field
/// <c>class</c>), and each image's class comes back as <c>revised_prompt</c>. <c>size</c> only as the model's own (e.g.
/// <c>28x28</c>) or <c>auto</c>; <c>response_format</c> only <c>b64_json</c> (the default); <c>output_format</c> only
/// <c>png</c>. Loom fields: <c>seed</c>, <c>class</c>, <c>temperature</c>, <c>sampler</c>, <c>steps</c>,
/// <c>guidance</c>, <c>eta</c> (<see cref="SamplingFields"/>); the response adds the <c>seed</c> used and <c>watermark</c>
/// (whether the images carry the invisible watermark, <see cref="LoomServerOptions.ImageWatermark"/>); a near-copy of a
/// training image gets <c>loom_moderation</c> (<see cref="ImageModeration"/>) and, when withheld, no <c>b64_json</c>.
/// </summary>
public sealed class ImagesEndpoints : ILoomEndpoints
{
    /// <summary>Most images one request may ask for.</summary>
    public const int MaxImages = 64;

    public void Map(IEndpointRouteBuilder routes) => routes.MapLoom("POST", "/v1/images/generations", HandleAsync);

    private static async Task HandleAsync(HttpContext context)
    {
        var state = context.RequestServices.GetRequiredService<LoomServerState>();
        var request = await JsonRequest.ReadAsync(context).ConfigureAwait(false);
        var modelId = request.RequiredString("model");
        var prompt = request.RequiredString("prompt");
        var format = request.String("response_format") ?? "b64_json";
        if (format == "url")
            throw ApiError.BadField("response_format", "Loom returns images inline: 'url' is not supported; use 'b64_json'.",
                "unsupported_parameter");
        if (format != "b64_json")
            throw ApiError.BadField("response_format", $"Invalid value for 'response_format': '{format}' (b64_json).", "invalid_value");
        if (request.String("output_format") is { } output && output != "png")
            throw ApiError.BadField("output_format", $"Loom writes PNG images only (got '{output}').", "invalid_value");
        var entry = state.Store.Find(modelId);
        if (!entry.Capabilities.Contains(ImageModels.Capability))
            throw NotAnImageModel(entry.Id, entry.Kind);

        using var lease = await state.Store.AcquireAsync(modelId, context.RequestAborted).ConfigureAwait(false);
        var model = lease.Model;
        if (model.Text is not null || !GeneratedImages.Makes(model.Model))
            throw NotAnImageModel(model.Id, model.Entry.Kind);
        var shape = GeneratedImages.ShapeOf(model.Model);
        if (request.String("size") is { } size && size != "auto" && !string.Equals(size, shape.Size, StringComparison.OrdinalIgnoreCase))
            throw ApiError.BadField("size", $"Invalid value for 'size': '{size}'. The model '{model.Id}' makes {shape.Size} images "
                + "only (or use 'auto').", "invalid_value");
        var generation = SamplingFields.Read(request, model.Model, MaxImages, prompt) with
        {
            Watermark = state.Options.ImageWatermark,
            Memorization = state.ImageMemorizationFor(shape),
        };
        SamplingFields.ToSampleRequest(model.Model, generation);
        var images = await ModelWork.RunAsync(model, state.Options.QueueLength, SamplingFields.Names, null,
            cancellation => GeneratedImages.GenerateAsync(model.Model, generation, null, cancellation), context.RequestAborted)
            .ConfigureAwait(false);
        var data = new JsonArray(images.Select(image =>
        {
            var item = new JsonObject();
            if (!image.Withheld) item["b64_json"] = Convert.ToBase64String(image.Png);
            if (image.ClassName is { } name) item["revised_prompt"] = name;
            return (JsonNode)ImageModeration.Annotate(item, image);
        }).ToArray());
        await JsonResponses.WriteAsync(context, new JsonObject
        {
            ["created"] = JsonResponses.UnixNow(), ["data"] = data, ["output_format"] = "png", ["seed"] = generation.Seed,
            ["watermark"] = generation.Watermark.Enabled,
        }).ConfigureAwait(false);
    }

    private static ApiError NotAnImageModel(string id, string kind) => ApiError.BadField("model",
        $"The model '{id}' ({kind}) does not generate images; use a diffusion, GAN, VAE or VQ-VAE model trained on images.",
        "model_not_supported");
}
