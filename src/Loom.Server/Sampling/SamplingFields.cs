using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models;
using Loom.Models.Diffusion;
using Loom.Server.Models;
using Loom.Server.Protocol;

namespace Loom.Server.Sampling;

/// <summary>
/// The Loom sampling fields the images route and <c>/v1/loom/sample</c> share: <c>n</c>, <c>seed</c> (absent: a random
/// one, returned in the response), <c>temperature</c>, <c>class</c> (a class name or index; without it a class name
/// mentioned in the prompt picks the class, else the samples spread over the classes) and the diffusion options
/// <c>sampler</c>, <c>steps</c>, <c>guidance</c>, <c>eta</c>.
/// </summary>
public static class SamplingFields
{
    /// <summary>The library's option names and the request fields they come from.</summary>
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Class"] = "class", ["Count"] = "n", ["Sampler"] = "sampler", ["Steps"] = "steps", ["Guidance"] = "guidance",
        ["Eta"] = "eta", ["Temperature"] = "temperature", ["Seed"] = "seed", ["Length"] = "length", ["Prompt"] = "prompt",
    };

    /// <summary>Reads the fields for <paramref name="model"/>; <paramref name="prompt"/> may name a class.</summary>
    public static ImageGenerationRequest Read(JsonRequest request, IGenerativeModel model, int maxCount, string? prompt)
    {
        var settings = new DiffusionSettings
        {
            Sampler = request.String("sampler"),
            Steps = (int?)request.Integer("steps", 1, 10_000),
            Guidance = request.Number("guidance", 0, 100),
            Eta = request.Number("eta", 0, 1),
        };
        return new ImageGenerationRequest
        {
            Count = (int)(request.Integer("n", 1, maxCount) ?? 1),
            Seed = request.Integer("seed", long.MinValue, long.MaxValue) ?? RandomNumberGenerator.GetInt32(int.MaxValue),
            Temperature = request.Number("temperature", 1e-3, 10) ?? 1.0,
            Class = Class(request, model, prompt),
            Diffusion = settings == new DiffusionSettings() ? null : settings,
        };
    }

    /// <summary>The library's sampling request for <paramref name="generation"/>; its usage errors name the field.</summary>
    public static SampleRequest ToSampleRequest(IGenerativeModel model, ImageGenerationRequest generation)
    {
        try
        {
            return GeneratedImages.ToSampleRequest(model, generation);
        }
        catch (LoomUsageException e)
        {
            throw ModelWork.ToApiError(e, Names, null);
        }
    }

    private static int? Class(JsonRequest request, IGenerativeModel model, string? prompt)
    {
        string? spec = request.Node("class") switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int index) && index >= 0 =>
                index.ToString(CultureInfo.InvariantCulture),
            _ => throw JsonRequest.WrongType("class", "a class name or a class index"),
        };
        if (spec is null)
            return prompt is null ? null : ModelClasses.FindIn(model, prompt);
        try
        {
            return ModelClasses.Parse(model, spec);
        }
        catch (LoomUsageException e)
        {
            throw ApiError.BadField("class", "Invalid value for 'class': " + e.Problem, "invalid_value");
        }
    }
}
