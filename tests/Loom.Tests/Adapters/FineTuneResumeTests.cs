using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Adapters;
using Loom.Models.Diffusion;
using Loom.Models.Language;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adapters;

/// <summary>
/// Resumable fine-tuning on a tiny GPT-2 and a tiny U-Net, with a LoRA adapter (dropout on, so the random state counts)
/// and fully: a run cancelled after k steps saves its adapter (or checkpoint), optimizer and step, and resuming it to N
/// steps gives exactly the tensors of an uninterrupted N-step run with the same seed.
/// </summary>
public sealed class FineTuneResumeTests : IDisposable
{
    private const long Steps = 6, StopAfter = 2;
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>Cancels the run once the trainer reports step <see cref="StopAfter"/> (as Ctrl-C would).</summary>
    private sealed class StopAt(CancellationTokenSource source) : ITrainingProgress
    {
        public void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta)
        {
            if (step >= StopAfter) source.Cancel();
        }
    }

    private string SaveLanguageModel()
    {
        var text = folder.File("verse.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("the cat sat on the mat. a dog ran in the fog.\n", 30)));
        var characters = File.ReadAllText(text).Select(c => c.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        var tokenizer = new CharTokenizer(characters);
        var network = new DecoderTransformer(TransformerConfig.Gpt2(tokenizer.VocabSize, 32, 2, 2, 16), seed: 1);
        using var model = new NeuralLanguageModel("gpt", network, tokenizer, SequenceLayout.Stream, tokenizer.Encode("\n")[0]);
        var path = folder.File("lm-base");
        Checkpoint.Save(path, model, new ModelCard { Kind = "gpt" });
        return path;
    }

    private FineTuneRecipe Recipe(string model, bool full)
    {
        var recipe = new FineTuneRecipe
        {
            Full = full, LoraRank = 2, LoraAlpha = 4, LoraDropout = full ? 0 : 0.2, Steps = Steps, BatchSize = 4, Warmup = 2,
            LearningRate = 0.01, EvalEvery = 0, Seed = 3,
        };
        if (model == "gpt")
            return recipe with { Base = SaveLanguageModel(), Data = folder.File("verse.txt"), Context = 16 };
        var (path, data) = UNetLoraTests.SaveFineTuneFixture(folder);
        return recipe with { Base = path, Data = data };
    }

    private static TrainingContext Context(string output, bool resume = false, CancellationTokenSource? stop = null) => new()
    {
        OutputFolder = output, Resume = resume, Cancellation = stop?.Token ?? CancellationToken.None,
        Progress = stop is null ? null : new StopAt(stop),
    };

    public static TheoryData<string, bool> Cases =>
        new() { { "gpt", false }, { "gpt", true }, { "diffusion", false }, { "diffusion", true } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_cancelled_run_resumed_to_the_end_equals_an_uninterrupted_run(string model, bool full)
    {
        var recipe = Recipe(model, full);
        string straight = folder.File("straight"), interrupted = folder.File("interrupted");
        var whole = FineTuning.Run(recipe, Context(straight));
        Assert.False(whole.Interrupted);
        Assert.Equal(Steps, (long)whole.Metrics["steps"]);

        using var stop = new CancellationTokenSource();
        var first = FineTuning.Run(recipe, Context(interrupted, stop: stop));
        Assert.True(first.Interrupted);
        Assert.Equal(StopAfter, (long)first.Metrics["steps"]);
        Assert.True(Checkpoint.HasTrainerState(interrupted));
        var rest = FineTuning.Run(recipe, Context(interrupted, resume: true));
        Assert.False(rest.Interrupted);
        Assert.Equal(Steps, (long)rest.Metrics["steps"]);

        string file = full ? Checkpoint.ModelFile : LoraAdapterFiles.WeightsFile;
        using var expected = SafeTensorsFile.Load(Path.Combine(straight, file));
        using var actual = SafeTensorsFile.Load(Path.Combine(interrupted, file));
        Assert.Equal(expected.Tensors.Keys.Order(StringComparer.Ordinal), actual.Tensors.Keys.Order(StringComparer.Ordinal));
        using var initial = full ? SafeTensorsFile.Load(Path.Combine(recipe.Base!, Checkpoint.ModelFile)) : null;
        bool changed = false;
        foreach (var (name, tensor) in expected.Tensors)
        {
            Assert.True(Same(tensor, actual.Tensors[name]), $"{name} differs after resuming");
            changed |= initial is null
                ? name.Contains("lora_B") && tensor.abs().sum().ToDouble() > 0
                : !Same(tensor, initial.Tensors[name]);
        }
        Assert.True(changed, "fine-tuning should have changed the weights");
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && (a - b).abs().max().ToDouble() == 0;

    [Fact]
    public void Resuming_refuses_a_changed_recipe_and_a_folder_without_a_run()
    {
        var recipe = Recipe("gpt", full: false);
        var output = folder.File("run");
        var empty = Assert.Throws<LoomUsageException>(() => FineTuning.Run(recipe, Context(output, resume: true)));
        Assert.Contains("no checkpoint yet", empty.Message);
        FineTuning.Run(recipe with { Steps = 2 }, Context(output));
        var changed = Assert.Throws<LoomUsageException>(
            () => FineTuning.Run(recipe with { LoraRank = 4 }, Context(output, resume: true)));
        Assert.Contains("LoraRank", changed.Message);
        var again = Assert.Throws<LoomUsageException>(() => FineTuning.Run(recipe, Context(output)));
        Assert.Contains("already holds", again.Message);
    }
}
