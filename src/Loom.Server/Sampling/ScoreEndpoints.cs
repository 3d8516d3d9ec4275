using System.Text.Json.Nodes;
using Loom.Models;
using Loom.Server.Models;
using Loom.Server.Protocol;
using Loom.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Loom.Server.Sampling;

/// <summary>
/// <c>POST /v1/loom/score</c>: the negative log-likelihood of <c>data</c> (<see cref="ScoreData"/>) under a model with
/// a tractable likelihood (GMM, HMM, n-gram) through the library's <see cref="ILikelihoodModel.ScoreContent"/>, in
/// memory (no file is written): <c>{object, model, units, unit, total_nll, nll_per_unit, perplexity, bits_per_unit,
/// extra}</c>, in nats. Neural text models are refused (their engine owns the model); bad data is a 400 naming
/// <c>data</c>.
/// </summary>
public sealed class ScoreEndpoints : ILoomEndpoints
{
    public void Map(IEndpointRouteBuilder routes) => routes.MapLoom("POST", "/v1/loom/score", HandleAsync);

    private static async Task HandleAsync(HttpContext context)
    {
        var state = context.RequestServices.GetRequiredService<LoomServerState>();
        var request = await JsonRequest.ReadAsync(context).ConfigureAwait(false);
        var modelId = request.RequiredString("model");
        using var lease = await state.Store.AcquireAsync(modelId, context.RequestAborted).ConfigureAwait(false);
        var model = lease.Model;
        if (model.Text is not null || model.Model.GetService<ILikelihoodModel>() is not { } likelihood)
            throw ApiError.BadField("model", $"The model '{model.Id}' ({model.Entry.Kind}) cannot be scored here: /v1/loom/score "
                + "takes models with a tractable likelihood (gmm, hmm, ngram).", "model_not_supported");
        var data = ScoreData.Read(request, model.Model);
        var report = await ModelWork.RunAsync(model, state.Options.QueueLength, SamplingFields.Names, "data",
            cancellation => likelihood.ScoreAsync(data, "data", cancellation), context.RequestAborted).ConfigureAwait(false);
        var extra = new JsonObject();
        foreach (var (key, value) in report.Extra ?? new Dictionary<string, double>()) extra[key] = Finite(value);
        await JsonResponses.WriteAsync(context, new JsonObject
        {
            ["object"] = "loom.score", ["model"] = model.Id, ["units"] = report.Units, ["unit"] = report.Unit,
            ["total_nll"] = Finite(report.TotalNllNats), ["nll_per_unit"] = Finite(report.NllPerUnit),
            ["perplexity"] = Finite(report.Perplexity), ["bits_per_unit"] = Finite(report.BitsPerUnit), ["extra"] = extra,
        }).ConfigureAwait(false);
    }

    /// <summary>JSON has no infinities: an infinite value (data the model gives no probability) is written as null.</summary>
    private static JsonNode? Finite(double value) => double.IsFinite(value) ? value : null;
}
