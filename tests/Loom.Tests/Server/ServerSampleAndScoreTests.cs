using System.Net;
using System.Text.Json.Nodes;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Server;
using Loom.Tests.Support;

namespace Loom.Tests.Server;

/// <summary>
/// The Loom-native routes: <c>/v1/loom/sample</c> returns what the family produces (a Gaussian mixture's points, an
/// n-gram model's texts, a diffusion model's PNGs) equal to the library's samples for the same seed, and
/// <c>/v1/loom/score</c> equals <see cref="ILikelihoodModel.Score"/> on a file with the same data; bad input is a 400
/// naming the field.
/// </summary>
public sealed class ServerSampleAndScoreTests
{
    private static Task<ServerHarness> StartAsync() => ServerHarness.StartAsync(store =>
    {
        TinyServedModels.SaveAll(store);
        return new LoomServerOptions { ModelsFolder = store, Port = 0 };
    });

    [Fact]
    public async Task Sampled_points_and_texts_equal_the_librarys_samples_for_the_same_seed()
    {
        await using var server = await StartAsync();
        var (status, points, _) = await server.PostAsync("/v1/loom/sample", new JsonObject
        {
            ["model"] = TinyServedModels.Gmm, ["n"] = 5, ["seed"] = 3,
        });
        Assert.True(status == HttpStatusCode.OK, points.ToJsonString());
        Assert.Equal("points", (string?)points["type"]);
        using (var gmm = Checkpoint.Load(Path.Combine(server.StorePath, TinyServedModels.Gmm)))
        {
            using var samples = (TensorSamples)gmm.Sample(new SampleRequest { Count = 5, Seed = 3 });
            var expected = samples.Values.to(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
            Assert.Equal(expected, points["points"]!.AsArray().SelectMany(row => row!.AsArray().Select(v => (double)v!)));
        }

        var (_, texts, _) = await server.PostAsync("/v1/loom/sample", new JsonObject
        {
            ["model"] = TinyServedModels.NGram, ["n"] = 2, ["seed"] = 9, ["length"] = 30, ["prompt"] = "to ",
        });
        Assert.Equal("text", (string?)texts["type"]);
        using (var ngram = Checkpoint.Load(Path.Combine(server.StorePath, TinyServedModels.NGram)))
        {
            var expected = (TextSamples)ngram.Sample(new SampleRequest { Count = 2, Seed = 9, Length = 30, Prompt = "to " });
            Assert.Equal(expected.Texts, texts["texts"]!.AsArray().Select(t => (string)t!));
        }

        var (_, images, _) = await server.PostAsync("/v1/loom/sample", new JsonObject
        {
            ["model"] = TinyServedModels.Diffusion, ["n"] = 2, ["seed"] = 1,
        });
        Assert.Equal("images", (string?)images["type"]);
        Assert.Equal(["zero", "one"], images["images"]!.AsArray().Select(i => (string)i!["class"]!));
        Assert.All(images["images"]!.AsArray(), i => Assert.NotEmpty(Convert.FromBase64String((string)i!["b64_json"]!)));
    }

    [Fact]
    public async Task Sampled_audio_comes_as_titled_wavs_of_the_librarys_clips()
    {
        await using var server = await ServerHarness.StartAsync(store =>
        {
            using var wavenet = Models.WaveNet.WaveNetFixtures.Model(classes: 2);
            Checkpoint.Save(Path.Combine(store, "wavenet"), wavenet, new ModelCard());
            return new LoomServerOptions { ModelsFolder = store, Port = 0 };
        });
        var (status, body, _) = await server.PostAsync("/v1/loom/sample", new JsonObject
        {
            ["model"] = "wavenet", ["n"] = 2, ["seed"] = 4, ["length"] = 60,
        });
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal("audio", (string?)body["type"]);
        var clips = body["clips"]!.AsArray();
        using var model = Checkpoint.Load(Path.Combine(server.StorePath, "wavenet"));
        var expected = (Loom.Audio.AudioSamples)model.Sample(new SampleRequest { Count = 2, Seed = 4, Length = 60 });
        Assert.Equal(2, clips.Count);
        for (int i = 0; i < 2; i++)
        {
            var wav = Convert.FromBase64String((string)clips[i]!["b64_wav"]!);
            var clip = Loom.Audio.WavFile.Read(wav, "clip");
            Assert.Equal(expected.Clips[i].Samples.Select(v => Loom.Audio.WavFile.ToPcm(v) / 32768f), clip.Samples);
            Assert.Equal((60, 8000), ((int)clips[i]!["samples"]!, (int)clips[i]!["sample_rate"]!));
            Assert.Equal(i, (int)clips[i]!["label"]!);
            Assert.Equal($"c{i}", (string?)clips[i]!["class"]);
            Assert.Equal($"c{i}", Loom.Audio.WavFile.ReadTitle(wav, "clip"));
        }
    }

    [Fact]
    public async Task Scores_equal_the_librarys_score_of_a_file_with_the_same_data()
    {
        await using var server = await StartAsync();
        using var folder = new TempFolder();
        double[][] rows = [[0.5, -0.25], [4, 3.5], [1, 1], [3.75, 4.5]];
        var csv = string.Join("", rows.Select(r =>
            string.Join(',', r.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "\n"));
        File.WriteAllText(folder.File("points.csv"), csv);
        File.WriteAllText(folder.File("text.txt"), "to be or not to be\n");

        using (var gmm = Checkpoint.Load(Path.Combine(server.StorePath, TinyServedModels.Gmm)))
        {
            var expected = gmm.GetService<ILikelihoodModel>()!.Score(folder.File("points.csv"));
            var asRows = new JsonArray(rows.Select(r => (JsonNode)new JsonArray(r.Select(v => (JsonNode)v).ToArray())).ToArray());
            foreach (JsonNode data in new JsonNode[] { asRows, csv })
            {
                var (status, body, _) =
                    await server.PostAsync("/v1/loom/score", new JsonObject { ["model"] = TinyServedModels.Gmm, ["data"] = data });
                Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
                AssertReport(expected, body);
            }
        }
        using (var ngram = Checkpoint.Load(Path.Combine(server.StorePath, TinyServedModels.NGram)))
        {
            var expected = ngram.GetService<ILikelihoodModel>()!.Score(folder.File("text.txt"));
            var (_, body, _) = await server.PostAsync("/v1/loom/score", new JsonObject
            {
                ["model"] = TinyServedModels.NGram, ["data"] = "to be or not to be\n",
            });
            AssertReport(expected, body);
        }
    }

    private static void AssertReport(ScoreReport expected, JsonObject body)
    {
        Assert.Equal(expected.Units, (long)body["units"]!);
        Assert.Equal(expected.Unit, (string?)body["unit"]);
        Assert.Equal(expected.NllPerUnit, (double)body["nll_per_unit"]!);
        Assert.Equal(expected.Perplexity, (double)body["perplexity"]!);
        Assert.Equal(expected.BitsPerUnit, (double)body["bits_per_unit"]!);
    }

    [Fact]
    public async Task Bad_sample_and_score_input_is_400_naming_the_field()
    {
        await using var server = await StartAsync();
        foreach (var (route, request, param, code) in new (string, JsonObject, string, string)[]
        {
            ("/v1/loom/score", new() { ["model"] = TinyServedModels.Gmm, ["data"] = new JsonArray(new JsonArray(1, 2, 3)) }, "data",
                "invalid_value"),
            ("/v1/loom/score", new() { ["model"] = TinyServedModels.Gmm, ["data"] = "1,x\n" }, "data", "invalid_value"),
            ("/v1/loom/score", new() { ["model"] = TinyServedModels.Gmm, ["data"] = new JsonObject() }, "data", "invalid_type"),
            ("/v1/loom/score", new() { ["model"] = TinyServedModels.Gmm, ["data"] = " " }, "data", "invalid_value"),
            ("/v1/loom/score", new() { ["model"] = TinyServedModels.Gmm }, "data", "missing_required_parameter"),
            ("/v1/loom/score", new() { ["model"] = TinyServedModels.Gan, ["data"] = "1" }, "model", "model_not_supported"),
            ("/v1/loom/sample", new() { ["model"] = TinyServedModels.Gmm, ["n"] = -1 }, "n", "invalid_value"),
            ("/v1/loom/sample", new() { ["model"] = TinyServedModels.Gmm, ["class"] = "a" }, "class", "invalid_value"),
            ("/v1/loom/sample", new() { ["model"] = TinyServedModels.NGram, ["length"] = "long" }, "length", "invalid_type"),
            ("/v1/loom/sample", new() { ["model"] = ServerHarness.Model }, "model", "model_not_supported"),
        })
        {
            var (status, body, _) = await server.PostAsync(route, request);
            Assert.True(status == HttpStatusCode.BadRequest, $"{route} {request.ToJsonString()}: {status} {body}");
            Assert.Equal(param, (string?)body["error"]!["param"]);
            Assert.Equal(code, (string?)body["error"]!["code"]);
        }
    }
}
