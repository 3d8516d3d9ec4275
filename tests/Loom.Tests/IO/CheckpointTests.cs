using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.IO;

public class CheckpointTests
{
    /// <summary>A minimal family for checkpoint plumbing: a fixed vector of means; samples are mean + seeded noise.</summary>
    private sealed class ShiftModel(Tensor mean, double scale) : IGenerativeModel
    {
        public string Kind => ShiftFamily.KindName;
        public JsonObject GetConfig() => new() { ["scale"] = scale, ["dims"] = mean.shape[0] };
        public IReadOnlyDictionary<string, Tensor> GetState() => new Dictionary<string, Tensor> { ["mean"] = mean };
        public SampleSet Sample(SampleRequest request)
        {
            var g = Seeding.Generator(request.Seed, "sample");
            return new TensorSamples(mean + scale * torch.randn([request.Count, mean.shape[0]], dtype: ScalarType.Float64, generator: g));
        }
        public void Dispose() => mean.Dispose();
    }

    private sealed class ShiftFamily : IModelFamily
    {
        public const string KindName = "test-shift";
        public string Kind => KindName;
        public string Summary => "test family";
        public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
        {
            long dims = config["dims"]!.GetValue<long>();
            if (!state.TryGetValue("mean", out var mean))
                throw new LoomDataException("missing tensor 'mean'");
            if (mean.shape.Length != 1 || mean.shape[0] != dims)
                throw new LoomDataException($"tensor 'mean' has shape [{string.Join(", ", mean.shape)}], expected [{dims}]");
            return new ShiftModel(mean.to(device).clone(), config["scale"]!.GetValue<double>());
        }
    }

    static CheckpointTests() => ModelRegistry.Register(new ShiftFamily());

    private static (string Dir, ShiftModel Model) SaveOne()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir(), "ckpt");
        var model = new ShiftModel(torch.tensor(new[] { 1.0, -2.0, 3.5 }), 0.5);
        var card = new ModelCard { CommandLine = "loom test", Seed = 7, Metrics = new Dictionary<string, double> { ["nll"] = 1.25 } };
        Checkpoint.Save(dir, model, card);
        return (dir, model);
    }

    [Fact]
    public void SaveThenLoadGivesTheSameModelAndCard()
    {
        var (dir, model) = SaveOne();
        using var loaded = Checkpoint.Load(dir);
        Assert.Equal(ShiftFamily.KindName, loaded.Kind);
        var a = (TensorSamples)model.Sample(new SampleRequest { Count = 5, Seed = 3 });
        var b = (TensorSamples)loaded.Sample(new SampleRequest { Count = 5, Seed = 3 });
        Assert.True(a.Values.equal(b.Values).all().item<bool>());
        var card = Checkpoint.ReadCard(dir);
        Assert.Equal("loom test", card.CommandLine);
        Assert.Equal(ShiftFamily.KindName, card.Kind);
        Assert.Equal(1.25, card.Metrics["nll"]);
        Assert.Equal(LoomVersion.Current, card.LoomVersion);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
        model.Dispose();
    }

    [Fact]
    public void A_flipped_byte_in_the_weights_is_refused_naming_the_file_and_an_older_checkpoint_loads_unverified()
    {
        var (dir, model) = SaveOne();
        model.Dispose();
        Assert.True(Checkpoint.Verify(dir));
        var weights = Path.Combine(dir, Checkpoint.ModelFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[^3] ^= 0x01;   // a tensor value, not the header: the safetensors reader alone would accept it
        File.WriteAllBytes(weights, bytes);
        var e = Assert.Throws<LoomDataException>(() => Checkpoint.Load(dir));
        Assert.Equal($"{weights}: does not match the checkpoint's manifest (changed, damaged, or from a save that did not finish); " +
                     "restore it or train again", e.Message);
        File.Delete(Path.Combine(dir, CheckpointManifest.FileName));
        Assert.False(Checkpoint.Verify(dir));
        using var unverified = Checkpoint.Load(dir);
        Assert.Equal(ShiftFamily.KindName, unverified.Kind);
    }

    [Fact]
    public void Saving_removes_temporary_files_a_killed_process_left_and_keeps_those_of_running_ones()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir(), "ckpt");
        Directory.CreateDirectory(dir);
        var orphan = Path.Combine(dir, ".model.safetensors.2147483600.0123abcd.tmp");   // no such process
        var live = Path.Combine(dir, $".model.safetensors.{Environment.ProcessId}.4567cdef.tmp");
        File.WriteAllText(orphan, "partial");
        File.WriteAllText(live, "being written");
        using (var model = new ShiftModel(torch.tensor(new[] { 1.0 }), 0.5))
            Checkpoint.Save(dir, model, new ModelCard());
        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(live));
    }

    [Fact]
    public void Non_finite_weights_are_refused_on_load_naming_the_tensor()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir(), "ckpt");
        using (var model = new ShiftModel(torch.tensor(new[] { 1.0, double.NaN }), 0.5))
            Checkpoint.Save(dir, model, new ModelCard());
        var e = Assert.Throws<LoomDataException>(() => Checkpoint.Load(dir));
        Assert.Equal(
            $"{Path.Combine(dir, Checkpoint.ModelFile)}: tensor 'mean' holds NaN or infinite values; the model cannot be used", e.Message);
    }

    [Fact]
    public void A_trainer_state_from_another_save_is_refused_when_resuming()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir(), "ckpt");
        using var model = new ShiftModel(torch.tensor(new[] { 1.0, 2.0 }), 0.5);
        TrainerStateFiles State(long step) =>
            new(new JsonObject { ["step"] = step }, new Dictionary<string, Tensor> { ["x"] = torch.full(2, (double)step) });
        Checkpoint.Save(dir, model, new ModelCard(), State(10));
        var olderJson = File.ReadAllText(Path.Combine(dir, Checkpoint.TrainerStateJsonFile));
        Checkpoint.Save(dir, model, new ModelCard(), State(20));
        var state = Checkpoint.ReadTrainerState(dir);
        Assert.Equal(20, state.Json["step"]!.GetValue<long>());
        foreach (var tensor in state.Tensors.Values) tensor.Dispose();
        // A kill between the renames of the two trainer-state files leaves the new tensors beside the old JSON.
        File.WriteAllText(Path.Combine(dir, Checkpoint.TrainerStateJsonFile), olderJson);
        var e = Assert.Throws<LoomDataException>(() => Checkpoint.ReadTrainerState(dir));
        Assert.StartsWith(Path.Combine(dir, Checkpoint.TrainerStateJsonFile) + ": does not match the checkpoint's manifest", e.Message);
    }

    [Fact]
    public async Task A_fifo_in_place_of_the_weights_is_refused_at_once_instead_of_blocking()
    {
        var (dir, model) = SaveOne();
        model.Dispose();
        var weights = Path.Combine(dir, Checkpoint.ModelFile);
        File.Delete(weights);
        var mkfifo = ProcessRunner.Run("mkfifo", [weights], dir, TimeSpan.FromSeconds(10));
        Assert.Equal(0, mkfifo.ExitCode);
        var load = Task.Run(() => Checkpoint.Load(dir));
        var finished = await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(finished == load, "loading a FIFO blocked");
        var e = await Assert.ThrowsAsync<LoomDataException>(() => load);
        Assert.Equal($"{weights}: is not a regular file (a pipe, socket or device); refusing to read it", e.Message);
    }

    [Fact]
    public void ConfigWithWrongKindIsAClearError()
    {
        var (dir, model) = SaveOne();
        model.Dispose();
        var configPath = Path.Combine(dir, Checkpoint.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["kind"] = "no-such-kind";
        File.WriteAllText(configPath, config.ToJsonString());
        var e = Assert.Throws<LoomDataException>(() => Checkpoint.Load(dir));
        Assert.Contains("unknown model kind 'no-such-kind'", e.Message);
    }

    [Fact]
    public void ShapeMismatchBetweenConfigAndTensorsIsAClearError()
    {
        var (dir, model) = SaveOne();
        model.Dispose();
        var configPath = Path.Combine(dir, Checkpoint.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["config"]!["dims"] = 4;
        File.WriteAllText(configPath, config.ToJsonString());
        Assert.Contains("does not match the checkpoint's manifest", Assert.Throws<LoomDataException>(() => Checkpoint.Load(dir)).Message);
        // Without a manifest (hand-made, or written by an older Loom) the family's own shape check still answers.
        File.Delete(Path.Combine(dir, CheckpointManifest.FileName));
        var e = Assert.Throws<LoomDataException>(() => Checkpoint.Load(dir));
        Assert.Contains("expected [4]", e.Message);
    }

    [Fact]
    public void MissingFolderFileOrConfigAreClearErrors()
    {
        var tmp = RepoPaths.NewTempDir();
        Assert.Contains("no such checkpoint folder",
            Assert.Throws<LoomDataException>(() => Checkpoint.Load(Path.Combine(tmp, "nope"))).Message);
        Assert.Contains("not a Loom checkpoint", Assert.Throws<LoomDataException>(() => Checkpoint.Load(tmp)).Message);
        var file = Path.Combine(tmp, "file.txt");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", Assert.Throws<LoomDataException>(() => Checkpoint.Load(file)).Message);
        File.WriteAllText(Path.Combine(tmp, Checkpoint.ConfigFile), "{ not json");
        Assert.Contains("not valid JSON", Assert.Throws<LoomDataException>(() => Checkpoint.Load(tmp)).Message);
    }

    [Fact]
    public void TruncatedModelFileIsAClearError()
    {
        var (dir, model) = SaveOne();
        model.Dispose();
        var path = Path.Combine(dir, Checkpoint.ModelFile);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 5)]);
        var e = Assert.Throws<LoomDataException>(() => Checkpoint.Load(dir));
        Assert.Contains(Checkpoint.ModelFile, e.Message);
    }

    [Fact]
    public void SavingOverAnExistingCheckpointReplacesEveryFile()
    {
        var (dir, model) = SaveOne();
        model.Dispose();
        using var other = new ShiftModel(torch.tensor(new[] { 9.0, 9.0, 9.0 }), 0.5);
        Checkpoint.Save(dir, other, new ModelCard());
        using var loaded = Checkpoint.Load(dir);
        Assert.Equal(9.0, loaded.GetState()["mean"][0].item<double>());
    }
}
