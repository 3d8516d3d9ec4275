using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Language;
using Loom.Tests.Support;
using Loom.Training.Runs;

namespace Loom.Tests.Language;

/// <summary>
/// Neural language models through the library's training API alone (no CLI, no subprocess): train a tiny transformer on
/// the bundled names, stop it as Ctrl-C would, resume it exactly with the recipe saved in run.json; presets are data per
/// family; and the CLI, which only maps flags onto the same recipe, writes the same checkpoint.
/// </summary>
public sealed class LanguageModelTrainingRunTests
{
    private static readonly LanguageModelRecipe Tiny = new()
    {
        Data = "names", Steps = 20, BatchSize = 16, Layers = 1, Heads = 2, Width = 16, EvalEvery = 10, CheckpointEvery = 10, Seed = 3,
    };

    private static readonly string[] CheckpointFiles =
    [
        Checkpoint.ModelFile, Checkpoint.ConfigFile, Checkpoint.TrainerStateTensorsFile, RunFolder.RecipeFile, "tokenizer.json",
        "generation.json", "sample.txt",
    ];

    private static readonly LanguageModelRecipe TinyLstm = new()
    {
        Data = "names", Steps = 20, BatchSize = 16, Layers = 1, Hidden = 16, Embedding = 8, EvalEvery = 10, CheckpointEvery = 10, Seed = 3,
    };

    private static TrainingOutcome Train(LanguageModelRecipe recipe, string folder, bool resume = false, long? stopAfter = null,
        string kind = "gpt")
    {
        using var stop = new CancellationTokenSource();
        return OneThreadRuns.Run(() => ModelRegistry.Trainable(kind).Train(RecipeJson.ToJson(recipe), new TrainingContext
        {
            OutputFolder = folder, Resume = resume, Cancellation = stop.Token,
            Progress = stopAfter is { } last ? new CancelAtStep(last, stop) : null,
        }));
    }

    private static long SavedStep(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, Checkpoint.TrainerStateJsonFile)))!["step"]!.GetValue<long>();

    [Fact]
    public void A_run_stopped_and_resumed_with_no_settings_equals_the_uninterrupted_run_and_samples()
    {
        using var tmp = new TempFolder();
        using (var whole = Train(Tiny, tmp.File("whole")))
        {
            Assert.False(whole.Interrupted);
            Assert.Equal("gpt", whole.Model.Kind);
            Assert.True(whole.Metrics["val_loss"] < Math.Log(27), $"val loss {whole.Metrics["val_loss"]} is no better than uniform");
            var sample = ((TextSamples)whole.Model.Sample(new SampleRequest { Count = 2, Length = 10, Seed = 1 })).Texts;
            Assert.Equal(2, sample.Count);
        }
        using (var first = Train(Tiny, tmp.File("parts"), stopAfter: 10))
        {
            Assert.True(first.Interrupted);
            Assert.Equal(10, SavedStep(tmp.File("parts")));
        }
        // Resuming needs no settings: the recipe comes from run.json, the tokenizer from tokenizer.json.
        using (var rest = Train(new LanguageModelRecipe(), tmp.File("parts"), resume: true)) Assert.False(rest.Interrupted);
        Assert.Equal(20, SavedStep(tmp.File("parts")));
        OneThreadRuns.AssertSameFiles(tmp.File("whole"), tmp.File("parts"), Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile);
    }

    [Fact]
    public void An_lstm_run_stopped_and_resumed_with_no_settings_equals_the_uninterrupted_run()
    {
        using var tmp = new TempFolder();
        using (var whole = Train(TinyLstm, tmp.File("whole"), kind: "lstm")) Assert.Equal("lstm", whole.Model.Kind);
        using (var first = Train(TinyLstm, tmp.File("parts"), stopAfter: 10, kind: "lstm")) Assert.True(first.Interrupted);
        Assert.Equal(10, SavedStep(tmp.File("parts")));
        using (Train(new LanguageModelRecipe(), tmp.File("parts"), resume: true, kind: "lstm")) { }
        OneThreadRuns.AssertSameFiles(tmp.File("whole"), tmp.File("parts"), Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile);
        // A new run does not write over a finished one unless told to.
        var refused = Assert.Throws<LoomUsageException>(() => Train(TinyLstm, tmp.File("whole"), kind: "lstm"));
        Assert.Contains("already holds a 'lstm' checkpoint", refused.Message);
    }

    [Fact]
    public void A_bfloat16_run_saves_its_float32_masters_resumes_exactly_and_a_recurrent_kind_refuses_it()
    {
        using var tmp = new TempFolder();
        var recipe = Tiny with { Precision = "bfloat16" };
        using (var whole = Train(recipe, tmp.File("whole")))
        {
            Assert.True(whole.Metrics["val_loss"] < Math.Log(27), $"val loss {whole.Metrics["val_loss"]} is no better than uniform");
            var network = ((NeuralLanguageModel)whole.Model).Network;
            Assert.All(network.parameters(), p => Assert.Equal(TorchSharp.torch.ScalarType.Float32, p.dtype));
        }
        // The saved model is the optimizer's float32 masters; the trainer state keeps the bfloat16 parameters beside them.
        var model = Loom.IO.SafeTensorsFile.Load(Path.Combine(tmp.File("whole"), Checkpoint.ModelFile)).Tensors;
        var state = Checkpoint.ReadTrainerState(tmp.File("whole")).Tensors;
        Assert.All(model.Values, t => Assert.Equal(TorchSharp.torch.ScalarType.Float32, t.dtype));
        Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, state["model.transformer.wte.weight"].dtype);
        var master = state.Single(kv => kv.Key.EndsWith(".master", StringComparison.Ordinal)
            && kv.Value.shape.SequenceEqual(model["transformer.wte.weight"].shape)).Value;
        Assert.True(master.equal(model["transformer.wte.weight"]).all().item<bool>());

        using (var first = Train(recipe, tmp.File("parts"), stopAfter: 10)) Assert.True(first.Interrupted);
        using (Train(new LanguageModelRecipe(), tmp.File("parts"), resume: true)) { }
        OneThreadRuns.AssertSameFiles(tmp.File("whole"), tmp.File("parts"), Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile);
        OneThreadRuns.Cli("train", "gpt", "--data", "names", "--steps", "20", "--batch-size", "16", "--layers", "1", "--heads", "2",
            "--width", "16", "--eval-every", "10", "--checkpoint-every", "10", "--seed", "3", "--precision", "bf16",
            "--out", tmp.File("cli"));
        OneThreadRuns.AssertSameFiles(tmp.File("whole"), tmp.File("cli"), Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile);

        using (var llama = Train(recipe with { Steps = 10, CheckpointEvery = 0 }, tmp.File("llama"), kind: "llama"))
        {
            Assert.True(llama.Metrics["val_loss"] < Math.Log(27), $"llama val loss {llama.Metrics["val_loss"]}");
            Assert.All(((NeuralLanguageModel)llama.Model).Network.parameters(),
                p => Assert.Equal(TorchSharp.torch.ScalarType.Float32, p.dtype));
        }
        var refused = Assert.Throws<LoomUsageException>(() => Train(TinyLstm with { Precision = "bf16" }, tmp.File("lstm"), kind: "lstm"));
        Assert.Equal("Precision", refused.Option);
        Assert.Contains("trains in float32", refused.Message);
    }

    [Fact]
    public void Resuming_with_a_different_recipe_is_refused_and_unset_properties_take_the_preset()
    {
        using var tmp = new TempFolder();
        using (Train(Tiny with { Steps = 4 }, tmp.File("run"))) { }
        var error = Assert.Throws<LoomUsageException>(() => Train(Tiny with { LearningRate = 0.05 }, tmp.File("run"), resume: true));
        Assert.StartsWith("LearningRate: the run in ", error.Message);
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.File("run"), RunFolder.RecipeFile)))!;
        var expected = RecipeJson.ToJson(Tiny with
        {
            Steps = 4,
            Tokenizer = "char",
            Preset = "names",
            Layout = "auto",
            Context = 16,
            LearningRate = 1e-3,
            MinLearningRate = 1e-4,
            Warmup = 200,
            WeightDecay = 0.01,
            EvalBatches = 20,
            Dropout = 0,
            Precision = "float32",
        });
        Assert.True(JsonNode.DeepEquals(expected, saved), saved.ToJsonString());
    }

    [Fact]
    public void Presets_are_data_and_a_preset_for_the_other_architecture_gives_only_its_training_values()
    {
        var gpt = ModelRegistry.Trainable("gpt").Presets;
        var lstm = ModelRegistry.Trainable("lstm").Presets;
        Assert.Equal(["names", "names-gru", "names-lstm", "shakespeare-char", "shakespeare-char-cpu"],
            gpt.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(384, gpt["shakespeare-char"]["width"]!.GetValue<int>());
        Assert.Equal(0.2, gpt["shakespeare-char"]["dropout"]!.GetValue<double>());
        // An LSTM on a text stream takes nanoGPT's schedule with its own network, as loom train lstm always has.
        Assert.Equal(2000, lstm["shakespeare-char-cpu"]["steps"]!.GetValue<long>());
        Assert.Equal(256, lstm["shakespeare-char-cpu"]["hidden"]!.GetValue<int>());
        Assert.Equal(1, lstm["shakespeare-char-cpu"]["layers"]!.GetValue<int>());
        Assert.Null(lstm["shakespeare-char-cpu"]["width"]);
        Assert.Equal(128, gpt["names-gru"]["width"]!.GetValue<int>());
        var family = (NeuralLanguageModelFamily)ModelRegistry.Get("gru");
        Assert.Equal("names-gru", family.DefaultPreset(lines: true));
        Assert.Equal("shakespeare-char-cpu", family.DefaultPreset(lines: false));
        // A learning rate below the preset's final rate pulls the final rate down with it.
        var low = new LanguageModelRecipe { Data = "names", LearningRate = 5e-5 }.Resolve(family, lines: true);
        Assert.Equal(5e-5, low.MinLearningRate);
        Assert.Equal(5e-4, new LanguageModelRecipe { Data = "names" }.Resolve(family, lines: true).MinLearningRate);
    }

    [Fact]
    public void The_cli_maps_flags_onto_the_recipe_and_writes_the_checkpoint_the_library_writes()
    {
        using var tmp = new TempFolder();
        using (Train(Tiny, tmp.File("library"))) { }
        OneThreadRuns.Cli("train", "gpt", "--data", "names", "--steps", "20", "--batch-size", "16", "--layers", "1", "--heads", "2",
            "--width", "16", "--eval-every", "10", "--checkpoint-every", "10", "--seed", "3", "--device", "cpu", "--out", tmp.File("cli"));
        OneThreadRuns.AssertSameFiles(tmp.File("library"), tmp.File("cli"), CheckpointFiles);
    }
}
