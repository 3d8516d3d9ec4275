using System.Text.Json.Nodes;
using Loom.IO;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>
/// The real loom binary on HF model folders (tests/fixtures/hf, made by transformers, no tokenizer.json): info, sampling
/// from prompt token ids with transformers' greedy continuation, and the one-line errors of what such a folder cannot do.
/// </summary>
public sealed class HfFolderCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-cli-hf");
    private static readonly string Llama = RepoPaths.Fixture(Path.Combine("hf", "tiny-llama"));

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    [Fact]
    public void Info_describes_an_hf_folder()
    {
        var info = Loom("info", Llama);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("format    hf (LlamaForCausalLM); loads as a Loom 'llama' model", info.Stdout);
        Assert.Contains("tokenizer none: prompts must be token ids (--prompt-ids)", info.Stdout);
        Assert.Contains("model.layers.1.self_attn.k_proj.weight", info.Stdout);
        Assert.Contains("loads     yes", info.Stdout);
    }

    [Fact]
    public void Sample_with_prompt_ids_gives_the_transformers_greedy_continuation()
    {
        using var reference = SafeTensorsFile.Load(Path.Combine(Llama, "reference.safetensors"));
        var prompt = reference.Tensors["greedy_prompt"].data<long>().ToArray();
        var expected = reference.Tensors["greedy_output"].data<long>().ToArray()[prompt.Length..];
        var sample = Loom("sample", Llama, "--prompt-ids", string.Join(",", prompt), "--greedy", "--n", "1",
            "--length", expected.Length.ToString(), "--out", "s.json");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        var output = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "s.json")))![0]!;
        var ids = output["token_ids"]!.AsArray().Select(t => (long)t!.GetValue<int>()).ToArray();
        // The folder's eos id (2) ends a sample early; transformers' reference was made without one.
        int end = Array.IndexOf(expected, 2L) is var at and >= 0 ? at + 1 : expected.Length;
        Assert.Equal(expected[..end], ids);
        Assert.Equal("", output["text"]!.GetValue<string>());
    }

    [Fact]
    public void Chat_on_a_folder_with_a_chat_template_renders_the_conversation_with_it()
    {
        Language.HuggingFace.TinyQwenFolder.Write(Path.Combine(work, "qwen"));
        var chat = CliRunner.RunWithInput(work, TimeSpan.FromMinutes(3), "hello\n/history\n", "chat", "qwen", "--max-tokens", "3",
            "--seed", "1");
        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Contains("<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n", chat.Stdout);
        var sample = Loom("sample", "qwen", "--prompt", "Once upon a time", "--n", "1", "--length", "4", "--out", "s.json");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "s.json")))![0]!;
        Assert.StartsWith("Once upon a time", written["prompt"]!.GetValue<string>());
    }

    [Fact]
    public void Sample_computes_in_bfloat16_with_dtype_and_refuses_an_unknown_one()
    {
        var sample = Loom("sample", Llama, "--dtype", "bf16", "--prompt-ids", "5,6,7", "--greedy", "--n", "1", "--length", "4",
            "--out", "s.json");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        var ids = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "s.json")))![0]!["token_ids"]!.AsArray();
        Assert.InRange(ids.Count, 1, 4);
        CliAssert.OneLineError(Loom("sample", Llama, "--dtype", "int8", "--prompt-ids", "5", "--n", "1"), 2, "--dtype: 'int8'");
    }

    [Fact]
    public void Sample_starts_from_the_folders_generation_config_and_flags_override_it()
    {
        using var tmp = new TempFolder();
        var folder = Language.HuggingFace.HfGenerationDefaultsTests.FolderWith(tmp, new JsonObject
        {
            ["do_sample"] = true, ["temperature"] = 0.5, ["top_k"] = 3, ["repetition_penalty"] = 1.3,
        });
        int[] Ids(params string[] flags)
        {
            var run = Loom(["sample", folder, "--prompt-ids", "5,6,7", "--n", "1", "--length", "12", "--seed", "4", "--out", "s.json",
                .. flags]);
            Assert.True(run.ExitCode == 0, run.ToString());
            return JsonNode.Parse(File.ReadAllText(Path.Combine(work, "s.json")))![0]!["token_ids"]!.AsArray()
                .Select(t => t!.GetValue<int>()).ToArray();
        }
        var fromFile = Ids();
        Assert.Equal(Ids("--temperature", "0.5", "--top-k", "3", "--repetition-penalty", "1.3"), fromFile);
        Assert.NotEqual(Ids("--temperature", "1", "--top-k", "0", "--repetition-penalty", "1"), fromFile);
    }

    [Fact]
    public void What_a_folder_without_a_tokenizer_cannot_do_is_one_line()
    {
        CliAssert.OneLineError(Loom("sample", Llama, "--prompt", "hello", "--n", "1"), 2, "--prompt-ids");
        CliAssert.OneLineError(Loom("sample", Llama, "--prompt-ids", "1,x", "--n", "1"), 2, "'x'");
        CliAssert.OneLineError(Loom("sample", Llama, "--prompt-ids", "1,5000", "--n", "1"), 2, "outside the vocabulary");
        CliAssert.OneLineError(Loom("import", "hf", Llama, "--out", "ckpt"), 2, "has no tokenizer.json");
        Assert.False(Directory.Exists(Path.Combine(work, "ckpt")));
        CliAssert.OneLineError(Loom("export", "hf", Llama, "--out", "hf"), 2, "'ids' tokenizer has no HF tokenizer.json form");
    }
}
