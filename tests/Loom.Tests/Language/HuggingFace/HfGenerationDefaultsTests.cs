using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Language.HuggingFace;
using Loom.Tests.Support;
using Loom.Text.Decoding;

namespace Loom.Tests.Language.HuggingFace;

/// <summary>
/// An HF folder's generation_config.json decoding fields become the model's default settings (as transformers'
/// <c>generate</c> starts from them), travel through import (generation.json) and export, and bad values are one error
/// naming the file.
/// </summary>
public sealed class HfGenerationDefaultsTests
{
    private static string Llama => RepoPaths.Fixture(Path.Combine("hf", "tiny-llama"));

    /// <summary>The tiny Llama fixture with its own generation_config.json.</summary>
    internal static string FolderWith(TempFolder tmp, JsonObject generation)
    {
        var folder = tmp.File("hf");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(Llama, file), Path.Combine(folder, file));
        File.WriteAllText(Path.Combine(folder, HfTokenIds.GenerationConfigFile), generation.ToJsonString());
        return folder;
    }

    [Fact]
    public void Decoding_fields_become_the_default_settings_and_other_fields_are_left_alone()
    {
        using var tmp = new TempFolder();
        var folder = FolderWith(tmp, new JsonObject
        {
            ["do_sample"] = true, ["temperature"] = 0.6, ["top_p"] = 0.9, ["top_k"] = 20, ["repetition_penalty"] = 1.1,
            ["max_new_tokens"] = 50, ["eos_token_id"] = 2, ["max_length"] = 4096, ["transformers_version"] = "4.57.0",
        });
        using var model = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(folder));
        var settings = model.DefaultSettings(30);
        Assert.True(settings.DoSample);
        Assert.Equal(0.6, settings.Temperature);
        Assert.Equal(0.9, settings.TopP);
        Assert.Equal(20, settings.TopK);
        Assert.Equal(1.1, settings.RepetitionPenalty);
        Assert.Equal(30, settings.MaxNewTokens);   // the caller's limit; generation_config's 50 stays in GenerationDefaults
        Assert.Equal(50, model.GenerationDefaults!.MaxNewTokens);
        Assert.Equal([2], settings.EosTokenIds);
    }

    [Fact]
    public void Transformers_top_k_of_50_applies_when_the_file_omits_it_and_a_file_of_ids_only_keeps_looms_defaults()
    {
        using (var tmp = new TempFolder())
        using (var model = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(FolderWith(tmp, new JsonObject { ["do_sample"] = true }))))
            Assert.Equal(50, model.DefaultSettings().TopK);
        using (var tmp = new TempFolder())
        using (var model = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(FolderWith(tmp, new JsonObject { ["eos_token_id"] = 2 }))))
        {
            Assert.Null(model.GenerationDefaults);
            Assert.True(model.DefaultSettings().DoSample);
            Assert.Equal(0, model.DefaultSettings().TopK);
        }
    }

    [Theory]
    [InlineData("temperature", "\"hot\"", "\"temperature\" must be a number")]
    [InlineData("top_k", "2.5", "\"top_k\" must be an integer")]
    [InlineData("top_p", "2", "top_p")]
    public void A_bad_value_is_one_error_naming_the_file(string field, string json, string expected)
    {
        using var tmp = new TempFolder();
        var folder = FolderWith(tmp, new JsonObject { ["do_sample"] = true, [field] = JsonNode.Parse(json) });
        var error = Assert.Throws<LoomDataException>(() => Checkpoint.Load(folder));
        Assert.Contains(HfTokenIds.GenerationConfigFile, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Defaults_survive_export_and_import()
    {
        using var tmp = new TempFolder();
        AI.TinyChatModel.Save(tmp.File("loom"));
        new GenerationSettings { DoSample = true, Temperature = 0.7, TopK = 5, TopP = 0.8, MaxNewTokens = 64 }
            .Save(Path.Combine(tmp.File("loom"), NeuralLanguageModel.GenerationFile));
        HfFolderConversion.Export(tmp.File("loom"), tmp.File("hf"));
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("hf"), HfTokenIds.GenerationConfigFile)))!;
        Assert.Equal(0.7, written["temperature"]!.GetValue<double>());
        Assert.Equal(5, written["top_k"]!.GetValue<int>());
        HfFolderConversion.Import(tmp.File("hf"), tmp.File("back"));
        foreach (var folder in new[] { tmp.File("hf"), tmp.File("back") })
        {
            using var model = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(folder));
            var settings = model.DefaultSettings();
            Assert.True(settings.DoSample, folder);
            Assert.Equal(0.7, settings.Temperature);
            Assert.Equal(5, settings.TopK);
            Assert.Equal(0.8, settings.TopP);
            Assert.Equal(64, model.GenerationDefaults!.MaxNewTokens);
        }
    }
}
