using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Loom.Models.Adapters;

/// <summary>
/// The output folder of one fine-tuning run, the same for every model it fine-tunes: locks and claims the folder
/// (<see cref="RunFolder"/>), sets up what trains (a fresh LoRA adapter, the saved one when resuming, or with
/// <see cref="FineTuneRecipe.Full"/> every weight), saves it with the trainer state (optimizer, step, random state) when
/// the trainer checkpoints — every <see cref="FineTuneRecipe.CheckpointEvery"/> steps, at the end and when cancelled —
/// and restores both when the run resumes, so a resumed run ends where an uninterrupted one would.
/// </summary>
internal sealed class FineTuneRun : IDisposable
{
    /// <summary>The files an adapter run writes, removed first when a new run overwrites the folder.</summary>
    private static readonly string[] AdapterRunFiles =
    [
        LoraAdapterFiles.WeightsFile, LoraConfig.FileName, Checkpoint.TrainerStateJsonFile, Checkpoint.TrainerStateTensorsFile,
        Checkpoint.LogFile, RunFolder.RecipeFile, FineTuning.MetricsFile,
    ];

    private readonly RunFolder folder;
    private readonly FineTuneRecipe recipe;
    private readonly TrainingContext context;
    private readonly IGenerativeModel model;
    private readonly nn.Module network;

    public FineTuneRun(FineTuneRecipe recipe, TrainingContext context, IGenerativeModel model, nn.Module network)
    {
        this.recipe = recipe;
        this.context = context;
        this.model = model;
        this.network = network;
        var path = context.OutputFolder;
        bool adapterThere = File.Exists(Path.Combine(path, LoraConfig.FileName));
        if (!context.Resume && !context.Overwrite && (adapterThere || File.Exists(Path.Combine(path, Checkpoint.ConfigFile))))
            throw LoomUsageException.ForOption("Out", $"{path} already holds a model or an adapter; choose another folder, "
                + "continue its run with Resume or replace it with Overwrite");
        folder = new RunFolder(context);
        try
        {
            if (!context.Resume)
                foreach (var name in AdapterRunFiles.Where(n => File.Exists(Path.Combine(path, n))))
                    File.Delete(Path.Combine(path, name));
            StartStep = folder.StartStep();
            if (context.Resume && !recipe.Full && !adapterThere)
                throw LoomUsageException.ForOption("Resume", $"{path} holds no adapter to continue");
            if (!recipe.Full)
            {
                Adapters = LoraNetworks.Create(model);
                if (context.Resume)
                    LoraAdapterFiles.Load(Adapters, path);
                else
                    Adapters.Add(LoraAdapters.DefaultName, recipe.ToLoraConfig(), recipe.Seed);
            }
            Trainable = Adapters?.Parameters(LoraAdapters.DefaultName)
                ?? network.parameters().Select(p => (Parameter)p).ToList();
            folder.SaveRecipe(RecipeJson.ToJson(recipe));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The adapters (one, <see cref="LoraAdapters.DefaultName"/>), or null when every weight trains.</summary>
    public LoraAdapters? Adapters { get; }

    /// <summary>The parameters the optimizer updates.</summary>
    public IReadOnlyList<Parameter> Trainable { get; }

    /// <summary>0 for a new run; the saved step when resuming.</summary>
    public long StartStep { get; }

    /// <summary>The run's log.jsonl, continued after <see cref="StartStep"/>.</summary>
    public MetricsLog OpenLog() => folder.OpenLog(StartStep);

    /// <summary>Restores the trainer's state (and with <see cref="FineTuneRecipe.Full"/> the live weights) when resuming.</summary>
    public void Restore(Trainer trainer)
    {
        if (context.Resume)
            folder.Restore(Adapters is null ? network : null, trainer);
    }

    /// <summary>
    /// The trainer's checkpoint: the adapter folder (peft's files) and the trainer state, or the full checkpoint with the
    /// trainer state inside. <paramref name="extraFiles"/> writes what a full checkpoint needs beside its weights (a
    /// tokenizer).
    /// </summary>
    public void Save(Trainer trainer, ModelCard card, Action<string>? extraFiles = null)
    {
        if (Adapters is not null)
        {
            LoraAdapterFiles.Save(Adapters, LoraAdapters.DefaultName, folder.Folder);
            Checkpoint.SaveTrainerState(folder.Folder, trainer.CaptureState());
            return;
        }
        folder.Save(trainer, model, network, card);
        extraFiles?.Invoke(folder.Folder);
    }

    /// <summary>A card for a full fine-tuning checkpoint.</summary>
    public ModelCard Card(DataProvenance data, IReadOnlyDictionary<string, double> metrics, string? notes) =>
        folder.Card([data], recipe.Seed, metrics, notes) with
        {
            Kind = model.Kind,
            Notes = $"fully fine-tuned from {recipe.Base}" + (notes is null ? "" : "; " + notes),
        };

    /// <summary>Writes the metrics beside an adapter and lists the run's files.</summary>
    public FineTuneOutcome Finish(IReadOnlyDictionary<string, double> metrics, TrainResult result)
    {
        var files = new List<string> { Path.Combine(folder.Folder, Checkpoint.LogFile) };
        if (Adapters is null)
        {
            files.Add(Path.Combine(folder.Folder, Checkpoint.ModelFile));
            return new FineTuneOutcome(metrics, result.Interrupted, files);
        }
        var json = new JsonObject(metrics.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
        AtomicFile.WriteAllText(Path.Combine(folder.Folder, FineTuning.MetricsFile),
            json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        files.AddRange([Path.Combine(folder.Folder, LoraAdapterFiles.WeightsFile), Path.Combine(folder.Folder, LoraConfig.FileName),
            Path.Combine(folder.Folder, FineTuning.MetricsFile)]);
        return new FineTuneOutcome(metrics, result.Interrupted, files);
    }

    /// <summary>The one-line summary of what trains.</summary>
    public string Describe() => recipe.Full
        ? "full fine-tuning"
        : $"LoRA r={recipe.LoraRank} α={recipe.LoraAlpha} on {Adapters!.Layers.Count} layers";

    public void Dispose()
    {
        Adapters?.Dispose();
        folder.Dispose();
    }
}
