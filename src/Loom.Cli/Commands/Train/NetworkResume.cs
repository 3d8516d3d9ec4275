using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands.Train;

/// <summary>Resuming a network trained by the shared trainer: the saved step, and the live weights ("model." keys) plus trainer state.</summary>
public static class NetworkResume
{
    public static long SavedStep(string outDir)
    {
        if (!Checkpoint.HasTrainerState(outDir))
            throw new LoomUsageException($"--resume: {outDir} has no trainer state to resume from");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, Checkpoint.TrainerStateJsonFile)))!;
        return json["step"]!.GetValue<long>();
    }

    /// <summary>
    /// Restores the network's parameters ("model." keys), the trainer's state, and the parameters and buffers of any
    /// <paramref name="auxiliary"/> training-only networks saved under their prefixes (e.g. a VAE-GAN's discriminator).
    /// </summary>
    public static void Restore(string outDir, nn.Module network, Trainer trainer, IReadOnlyList<(nn.Module Module, string Prefix)>? auxiliary = null)
    {
        var state = Checkpoint.ReadTrainerState(outDir);
        try
        {
            ModuleParameters.CopyFrom(network, state.Tensors, "--resume", "model.");
            foreach (var (module, prefix) in auxiliary ?? []) ModuleTensors.CopyFrom(module, state.Tensors, "--resume", prefix);
        }
        catch (LoomDataException e) { throw new LoomDataException($"{e.Message}; {outDir} holds a different model — same options and data?"); }
        trainer.RestoreState(state);
    }
}
