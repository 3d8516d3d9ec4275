using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Language.HuggingFace;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using Loom.Text.Decoding;
using Loom.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Language.HuggingFace;

/// <summary>
/// HF model folders through <see cref="Checkpoint.Load"/>: the tiny transformers-made GPT-2 and Llama folders
/// (tests/fixtures/hf, no tokenizer.json) load, generate transformers' greedy continuation from prompt token ids, load
/// the same from shards, and Loom checkpoints export to HF folders that re-import with identical logits.
/// </summary>
public sealed class HfModelFolderTests
{
    private static string Fixture(string name) => RepoPaths.Fixture(Path.Combine("hf", name));

    private static (int[] Prompt, int[] Continuation) Reference(string name)
    {
        using var reference = SafeTensorsFile.Load(Path.Combine(Fixture(name), "reference.safetensors"));
        var prompt = reference.Tensors["greedy_prompt"].data<long>().Select(t => (int)t).ToArray();
        var output = reference.Tensors["greedy_output"].data<long>().Select(t => (int)t).ToArray();
        return (prompt, output[prompt.Length..]);
    }

    [Theory]
    [InlineData("tiny-gpt2", "gpt", 0)]
    [InlineData("tiny-llama", "llama", 2)]
    public void An_hf_folder_loads_through_Checkpoint_Load_and_continues_token_ids_as_transformers_does(string name, string kind, int eos)
    {
        Assert.True(HfModelFolder.Recognizes(Fixture(name)));
        using var model = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(Fixture(name)));
        Assert.Equal(kind, model.Kind);
        Assert.Equal(TokenIdTokenizer.KindName, model.Tokenizer.Kind);
        Assert.Equal([eos], model.EosTokenIds);   // config.json's eos_token_id (generation_config.json has none)
        var (prompt, expected) = Reference(name);
        var settings = new GenerationSettings { DoSample = false, MaxNewTokens = expected.Length };
        var output = model.CreateGenerator().Generate([prompt], settings)[0];
        Assert.Equal(expected, output.TokenIds);
        Assert.Equal("", output.Text);
        var error = Assert.Throws<LoomUsageException>(() => model.CreateGenerator().Generate(["some text"], settings));
        Assert.Contains("token ids", error.Message);
        Assert.Throws<LoomUsageException>(() => model.CreateGenerator().Generate([new[] { 5, 1000 }], settings));
    }

    [Fact]
    public void Sharded_weights_with_an_index_load_the_same_model()
    {
        using var tmp = new TempFolder();
        foreach (var file in new[] { "config.json", "generation_config.json" })
            File.Copy(Path.Combine(Fixture("tiny-llama"), file), tmp.File(file));
        using (var whole = SafeTensorsFile.Load(Path.Combine(Fixture("tiny-llama"), "model.safetensors")))
        {
            var names = whole.Tensors.Keys.Order(StringComparer.Ordinal).ToList();
            var first = names.Take(names.Count / 2).ToList();
            SafeTensorsFile.Save(tmp.File("model-00001-of-00002.safetensors"), first.ToDictionary(n => n, n => whole.Tensors[n]));
            SafeTensorsFile.Save(tmp.File("model-00002-of-00002.safetensors"),
                names.Skip(first.Count).ToDictionary(n => n, n => whole.Tensors[n]));
            var map = new JsonObject();
            foreach (var n in names) map[n] = first.Contains(n) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            File.WriteAllText(tmp.File(HfWeightFiles.IndexFile), new JsonObject { ["weight_map"] = map }.ToJsonString());
        }
        Assert.Equal(2, HfWeightFiles.Find(tmp.Path).Count);
        using var sharded = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(tmp.Path));
        using var single = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(Fixture("tiny-llama")));
        using var ids = torch.tensor(new long[] { 1, 5, 9, 200, 3 }).view(1, -1);
        using var noGrad = torch.no_grad();
        using var a = sharded.Causal.Forward(ids);
        using var b = single.Causal.Forward(ids);
        Assert.True(a.equal(b).all().item<bool>());

        File.WriteAllText(tmp.File(HfWeightFiles.IndexFile), "{\"weight_map\": {\"lm_head.weight\": \"../elsewhere.safetensors\"}}");
        Assert.Contains("is not a file in the folder", Assert.Throws<LoomDataException>(() => Checkpoint.Load(tmp.Path)).Message);
    }

    public static TheoryData<string> Styles => new() { "gpt2-no-bias", "gpt2", "llama" };

    private static TransformerConfig Config(string style) => style switch
    {
        "gpt2-no-bias" => TransformerConfig.Gpt2(12, 32, 2, 2, 16) with { Bias = false },
        "gpt2" => TransformerConfig.Gpt2(12, 32, 2, 2, 16),
        _ => TransformerConfig.Llama(12, 32, 2, 4, 2, 16),
    };

    [Theory]
    [MemberData(nameof(Styles))]
    public void A_loom_checkpoint_exported_as_an_hf_folder_reimports_with_identical_logits_and_tokens(string style)
    {
        using var tmp = new TempFolder();
        var tokenizer = CharTokenizer.Train("hello world\n", ["<|endoftext|>"]);
        var config = Config(style);
        using (var model = new NeuralLanguageModel(HfModelFolder.KindOf(config), new DecoderTransformer(config, seed: 3), tokenizer,
                   SequenceLayout.Stream, 0))
            Checkpoint.Save(tmp.File("loom"), model, new ModelCard());
        HfFolderConversion.Export(tmp.File("loom"), tmp.File("hf"));
        Assert.True(HfModelFolder.Recognizes(tmp.File("hf")));
        var hfConfig = JsonNode.Parse(File.ReadAllText(tmp.File("hf/config.json")))!;
        Assert.Equal(style == "llama" ? "LlamaForCausalLM" : "GPT2LMHeadModel", hfConfig["architectures"]![0]!.GetValue<string>());
        using (var header = SafeTensorsFile.Load(tmp.File("hf/model.safetensors")))
            if (style == "gpt2-no-bias")
                Assert.True(header.Tensors["transformer.h.0.attn.c_attn.bias"].eq(0).all().item<bool>());

        HfFolderConversion.Import(tmp.File("hf"), tmp.File("again"));
        using var original = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(tmp.File("loom")));
        using var exported = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(tmp.File("hf")));
        using var reimported = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(tmp.File("again")));
        var text = "hello world<|endoftext|>\nhold";
        var ids = original.Tokenizer.Encode(text);
        Assert.Equal(ids, exported.Tokenizer.Encode(text));
        Assert.Equal(ids, reimported.Tokenizer.Encode(text));
        Assert.Equal(text, exported.Tokenizer.Decode(ids));
        using var input = torch.tensor(ids.Select(i => (long)i).ToArray()).view(1, -1);
        using var noGrad = torch.no_grad();
        using var expected = original.Causal.Forward(input);
        using var viaHf = exported.Causal.Forward(input);
        using var again = reimported.Causal.Forward(input);
        Assert.True(expected.equal(viaHf).all().item<bool>(), $"max difference {(expected - viaHf).abs().max().item<float>()}");
        Assert.True(expected.equal(again).all().item<bool>());

        var refused = Assert.Throws<LoomUsageException>(() => HfFolderConversion.Export(tmp.File("loom"), tmp.File("hf")));
        Assert.StartsWith("Out:", refused.Message);
        HfFolderConversion.Export(tmp.File("loom"), tmp.File("hf"), overwrite: true);
    }
}
