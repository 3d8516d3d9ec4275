using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.Models.Adapters;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adapters;

/// <summary>
/// Adapter folders as peft writes them: adapter_model.safetensors with <c>base_model.model.PATH.lora_A.weight</c> keys
/// (no adapter name) and adapter_config.json with peft's fields; they round-trip, and an adapter for another base
/// model is refused with the mismatched tensor named.
/// </summary>
public sealed class LoraAdapterFilesTests
{
    [Fact]
    public void A_gpt2_adapter_has_peft_key_names_shapes_and_config()
    {
        using var model = LoraAdaptersTests.Create("gpt");
        using var adapters = new LoraAdapters(model);
        adapters.Add(LoraAdapters.DefaultName, new LoraConfig { Rank = 4, Alpha = 8, Dropout = 0.05, BaseModel = "tiny-gpt" });
        using var folder = new TempFolder();
        LoraAdapterFiles.Save(adapters, LoraAdapters.DefaultName, folder.Path);

        var header = SafeTensorsFile.ReadHeader(folder.File(LoraAdapterFiles.WeightsFile));
        var shapes = header.Entries.ToDictionary(e => e.Name, e => e.Shape.ToArray());
        var expected = new[] { 0, 1 }.SelectMany(i => new[]
        {
            $"base_model.model.transformer.h.{i}.attn.c_attn.lora_A.weight",
            $"base_model.model.transformer.h.{i}.attn.c_attn.lora_B.weight",
        }).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, shapes.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal([4L, 16], shapes["base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"]);    // [r, in]
        Assert.Equal([48L, 4], shapes["base_model.model.transformer.h.0.attn.c_attn.lora_B.weight"]);    // [out = 3·width, r]

        var config = JsonNode.Parse(File.ReadAllText(folder.File(LoraConfig.FileName)))!.AsObject();
        Assert.Equal("LORA", config["peft_type"]!.GetValue<string>());
        Assert.Equal("CAUSAL_LM", config["task_type"]!.GetValue<string>());
        Assert.Equal("none", config["bias"]!.GetValue<string>());
        Assert.Equal(4, config["r"]!.GetValue<int>());
        Assert.Equal(8.0, config["lora_alpha"]!.GetValue<double>());
        Assert.Equal(0.05, config["lora_dropout"]!.GetValue<double>());
        Assert.True(config["fan_in_fan_out"]!.GetValue<bool>());   // GPT-2's Conv1D stores weights [in, out]
        Assert.Equal("tiny-gpt", config["base_model_name_or_path"]!.GetValue<string>());
        Assert.Equal(["c_attn"], config["target_modules"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void A_llama_adapter_has_peft_key_names_for_q_and_v()
    {
        using var model = LoraAdaptersTests.Create("llama");
        using var adapters = new LoraAdapters(model);
        adapters.Add(LoraAdapters.DefaultName, new LoraConfig { Rank = 2 });
        var state = adapters.PeftState(LoraAdapters.DefaultName);
        var expected = new[] { 0, 1 }.SelectMany(i => new[] { "q_proj", "v_proj" }.SelectMany(m => new[]
        {
            $"base_model.model.model.layers.{i}.self_attn.{m}.lora_A.weight",
            $"base_model.model.model.layers.{i}.self_attn.{m}.lora_B.weight",
        })).Order(StringComparer.Ordinal);
        Assert.Equal(expected, state.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([8L, 2], state["base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight"].shape);   // 2 kv heads × 4
        Assert.False(adapters.Config(LoraAdapters.DefaultName).FanInFanOut);
    }

    [Theory]
    [InlineData("gpt")]
    [InlineData("llama")]
    public void Adapter_files_round_trip_keys_config_and_values(string style)
    {
        using var folder = new TempFolder();
        using var original = LoraAdaptersTests.Create(style);
        original.eval();
        using var adapters = new LoraAdapters(original);
        var config = new LoraConfig
        {
            Rank = 3, Alpha = 5, Dropout = 0.1, TargetModules = LoraTargets.Parse(@"re:.*\.(c_fc|up_proj|o_proj)"),
        };
        adapters.Add("mine", config, seed: 4);
        LoraAdaptersTests.Randomize(adapters, "mine", 4);
        LoraAdapterFiles.Save(adapters, "mine", folder.Path);
        using var expected = LoraAdaptersTests.Logits(original);

        using var copy = LoraAdaptersTests.Create(style);
        copy.eval();
        using var loaded = new LoraAdapters(copy);
        LoraAdapterFiles.Load(loaded, folder.Path, "again");
        var saved = adapters.PeftState("mine");
        var read = loaded.PeftState("again");
        Assert.Equal(saved.Keys.Order(StringComparer.Ordinal), read.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, tensor) in saved)
            Assert.True((tensor - read[key]).abs().max().ToDouble() == 0, key);
        var readConfig = loaded.Config("again");
        Assert.Equal((3, 5.0, 0.1, config.TargetModules!.Regex),
            (readConfig.Rank, readConfig.Alpha, readConfig.Dropout, readConfig.TargetModules!.Regex));
        using var actual = LoraAdaptersTests.Logits(copy);
        Assert.Equal(0, (actual - expected).abs().max().ToDouble());
    }

    [Fact]
    public void An_adapter_for_another_base_is_refused_naming_the_tensor_and_shape()
    {
        using var folder = new TempFolder();
        using (var wide = LoraAdaptersTests.Create("gpt", width: 32))
        using (var adapters = new LoraAdapters(wide))
        {
            adapters.Add(LoraAdapters.DefaultName, new LoraConfig { Rank = 2 });
            LoraAdapterFiles.Save(adapters, LoraAdapters.DefaultName, folder.Path);
        }
        using var narrow = LoraAdaptersTests.Create("gpt", width: 16);
        using var target = new LoraAdapters(narrow);
        var error = Assert.Throws<LoomDataException>(() => LoraAdapterFiles.Load(target, folder.Path));
        Assert.Contains("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight has shape [2, 32]", error.Message);
        Assert.Contains("[2, 16]", error.Message);
        Assert.Empty(target.Names);   // nothing half-loaded
        Assert.All(narrow.parameters(), p => Assert.True(p.requires_grad));

        using var llama = LoraAdaptersTests.Create("llama");
        using var other = new LoraAdapters(llama);
        var wrongStyle = Assert.Throws<LoomUsageException>(() => LoraAdapterFiles.Load(other, folder.Path));
        Assert.Contains("'c_attn' matches no module", wrongStyle.Message);
    }

    [Fact]
    public void Bad_adapter_folders_are_refused_in_one_line()
    {
        using var folder = new TempFolder();
        using var model = LoraAdaptersTests.Create("llama");
        using var adapters = new LoraAdapters(model);
        Assert.Throws<LoomDataException>(() => LoraAdapterFiles.Load(adapters, folder.Path));
        File.WriteAllText(folder.File(LoraConfig.FileName), """{"peft_type": "PREFIX_TUNING"}""");
        SafeTensorsFile.Save(folder.File(LoraAdapterFiles.WeightsFile), new Dictionary<string, Tensor>());
        var prefix = Assert.Throws<LoomDataException>(() => LoraAdapterFiles.Load(adapters, folder.Path));
        Assert.Contains("LORA adapters only", prefix.Message);
        File.WriteAllText(folder.File(LoraConfig.FileName),
            """{"peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": ["q_proj"]}""");
        var missing = Assert.Throws<LoomDataException>(() => LoraAdapterFiles.Load(adapters, folder.Path));
        Assert.Contains("no base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", missing.Message);
        Assert.DoesNotContain('\n', missing.Message);
    }
}
