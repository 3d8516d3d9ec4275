using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.Diffusion;
using Loom.Server;
using OpenAI.Images;

namespace Loom.Tests.Server;

/// <summary>
/// <c>POST /v1/images/generations</c> through the OpenAI SDK's ImageClient and raw HTTP against a real loopback server:
/// n PNGs of the model's own size, the class a prompt names, seeded images equal to the library's
/// <see cref="GeneratedImages"/> for the same request, and 400/404 errors naming the field.
/// </summary>
public sealed class ServerImagesTests
{
    private static Task<ServerHarness> StartAsync() => ServerHarness.StartAsync(store =>
    {
        TinyServedModels.SaveAll(store);
        return new LoomServerOptions { ModelsFolder = store, Port = 0 };
    });

    private static (long Channels, long Height, long Width) PngShape(byte[] png)
    {
        using var image = Png.Decode(png);
        return (image.shape[0], image.shape[1], image.shape[2]);
    }

    [Fact]
    public async Task The_sdk_gets_n_pngs_of_the_models_size_of_the_class_its_prompt_names()
    {
        await using var server = await StartAsync();
        var client = server.OpenAi().GetImageClient(TinyServedModels.Gan);
        var images = (await client.GenerateImagesAsync("a boot, please", 3, new ImageGenerationOptions
        {
            ResponseFormat = GeneratedImageFormat.Bytes, Size = new GeneratedImageSize(28, 28),
        })).Value;

        Assert.Equal(3, images.Count);
        Assert.All(images, image =>
        {
            Assert.Equal((1L, 28L, 28L), PngShape(image.ImageBytes.ToArray()));
            Assert.Equal("boot", image.RevisedPrompt);
        });
        Assert.True(images.CreatedAt > DateTimeOffset.UnixEpoch);
        var models = JsonNode.Parse((await server.GetAsync("/v1/models")).Body)!["data"]!.AsArray();
        Assert.Equal(["diffusion", "gan"], models.Where(m => m!["capabilities"]!.AsArray().Any(c => (string?)c == "images.generations"))
            .Select(m => (string)m!["id"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Seeded_images_are_the_same_bytes_again_and_equal_the_librarys()
    {
        await using var server = await StartAsync();
        var request = new JsonObject
        {
            ["model"] = TinyServedModels.Diffusion, ["prompt"] = "anything", ["n"] = 2, ["seed"] = 42, ["class"] = "one",
            ["sampler"] = "euler", ["steps"] = 2, ["guidance"] = 2.0,
        };
        var (status, first, _) = await server.PostAsync("/v1/images/generations", request);
        Assert.True(status == HttpStatusCode.OK, first.ToJsonString());
        var (_, second, _) = await server.PostAsync("/v1/images/generations", request);
        byte[][] Pngs(JsonObject body) => body["data"]!.AsArray().Select(d => Convert.FromBase64String((string)d!["b64_json"]!)).ToArray();
        Assert.Equal(Pngs(first), Pngs(second));
        Assert.Equal(42, (long)first["seed"]!);
        Assert.All(first["data"]!.AsArray(), d => Assert.Equal("one", (string?)d!["revised_prompt"]));

        using var model = Checkpoint.Load(Path.Combine(server.StorePath, TinyServedModels.Diffusion));
        var library = await GeneratedImages.GenerateAsync(model, new ImageGenerationRequest
        {
            Count = 2, Seed = 42, Class = 1, Diffusion = new DiffusionSettings { Sampler = "euler", Steps = 2, Guidance = 2.0 },
        });
        Assert.Equal(library.Select(i => i.Png).ToArray(), Pngs(first));
        Assert.All(Pngs(first), png => Assert.Equal((1L, 8L, 8L), PngShape(png)));
        var (_, otherSeed, _) = await server.PostAsync("/v1/images/generations", new JsonObject
        {
            ["model"] = TinyServedModels.Diffusion, ["prompt"] = "anything", ["n"] = 2, ["seed"] = 43, ["class"] = "one",
            ["sampler"] = "euler", ["steps"] = 2, ["guidance"] = 2.0,
        });
        Assert.NotEqual(Pngs(first), Pngs(otherSeed));
    }

    [Fact]
    public async Task Bad_size_format_class_or_sampler_is_400_a_text_model_is_400_and_an_unknown_model_404()
    {
        await using var server = await StartAsync();
        var sdk = server.OpenAi();
        var size = await Assert.ThrowsAsync<ClientResultException>(() => sdk.GetImageClient(TinyServedModels.Gan)
            .GenerateImageAsync("a shirt", new ImageGenerationOptions { Size = GeneratedImageSize.W1024xH1024 }));
        Assert.Equal(400, size.Status);
        var text = await Assert.ThrowsAsync<ClientResultException>(() => sdk.GetImageClient(ServerHarness.Model)
            .GenerateImageAsync("a shirt"));
        Assert.Equal(400, text.Status);
        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => sdk.GetImageClient("no-such-model")
            .GenerateImageAsync("a shirt"));
        Assert.Equal(404, unknown.Status);

        foreach (var (field, value, param, code) in new (string, JsonNode, string, string)[]
        {
            ("size", "1024x1024", "size", "invalid_value"), ("response_format", "url", "response_format", "unsupported_parameter"),
            ("class", "sock", "class", "invalid_value"), ("sampler", "nope", "sampler", "invalid_value"),
            ("n", 0, "n", "invalid_value"), ("model", ServerHarness.Model, "model", "model_not_supported"),
            ("steps", 3, "sampler", "invalid_value"),
        })
        {
            var request = new JsonObject { ["model"] = TinyServedModels.Gan, ["prompt"] = "a shirt", [field] = value };
            if (field == "steps") request["sampler"] = "ddim";
            var (status, body, _) = await server.PostAsync("/v1/images/generations", request);
            Assert.True(status == HttpStatusCode.BadRequest, $"{field}: {status} {body}");
            Assert.Equal(param, (string?)body["error"]!["param"]);
            Assert.Equal(code, (string?)body["error"]!["code"]);
        }
        var (missing, missingBody, _) =
            await server.PostAsync("/v1/images/generations", new JsonObject { ["model"] = "nope", ["prompt"] = "x" });
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("model_not_found", (string?)missingBody["error"]!["code"]);
    }
}
