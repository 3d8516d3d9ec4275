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

    public static void Restore(string outDir, nn.Module network, Trainer trainer)
    {
        var state = Checkpoint.ReadTrainerState(outDir);
        try { ModuleParameters.CopyFrom(network, state.Tensors, "--resume", "model."); }
        catch (LoomDataException e) { throw new LoomDataException($"{e.Message}; {outDir} holds a different model — same options and data?"); }
        trainer.RestoreState(state);
    }
}
