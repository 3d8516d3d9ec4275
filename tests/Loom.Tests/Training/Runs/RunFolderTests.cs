using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Tests.Support;
using Loom.Training.Runs;

namespace Loom.Tests.Training.Runs;

/// <summary>A run's folder is its own: one run at a time, and a new run never mixes its files with another's.</summary>
public sealed class RunFolderTests
{
    [Fact]
    public void A_second_run_on_a_folder_in_use_stops_with_one_line_and_the_folder_is_free_again_afterwards()
    {
        using var tmp = new TempFolder();
        var context = new TrainingContext { OutputFolder = tmp.File("run") };
        using (new RunFolder(context))
        {
            var e = Assert.Throws<LoomUsageException>(() => new RunFolder(context));
            Assert.Equal($"OutputFolder: {tmp.File("run")}: another run is writing to this folder; wait for it or use another folder",
                e.Message);
        }
        using (new RunFolder(context)) { }
        Assert.False(File.Exists(Path.Combine(tmp.File("run"), RunFolder.LockFile)));
    }

    [Fact]
    public void A_new_run_refuses_a_folder_holding_a_checkpoint_unless_told_to_overwrite_and_then_removes_the_old_files()
    {
        using var tmp = new TempFolder();
        var folder = tmp.File("run");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, Checkpoint.ConfigFile), """{"kind": "gmm", "config": {}}""");
        File.WriteAllText(Path.Combine(folder, Checkpoint.LogFile), "{\"step\": 1}\n");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "the user's own file");
        var refused = Assert.Throws<LoomUsageException>(() => new RunFolder(new TrainingContext { OutputFolder = folder }));
        Assert.Equal($"OutputFolder: {folder} already holds a 'gmm' checkpoint; continue it with Resume, replace it with Overwrite, " +
                     "or choose another folder", refused.Message);
        Assert.True(File.Exists(Path.Combine(folder, Checkpoint.LogFile)));
        using (new RunFolder(new TrainingContext { OutputFolder = folder, Overwrite = true })) { }
        Assert.False(File.Exists(Path.Combine(folder, Checkpoint.ConfigFile)));
        Assert.False(File.Exists(Path.Combine(folder, Checkpoint.LogFile)));
        Assert.True(File.Exists(Path.Combine(folder, "notes.txt")));
    }

    [Fact]
    public void Resuming_a_run_that_never_saved_says_there_is_no_checkpoint_yet()
    {
        using var tmp = new TempFolder();
        using var folder = new RunFolder(new TrainingContext { OutputFolder = tmp.File("run"), Resume = true });
        var e = Assert.Throws<LoomUsageException>(() => folder.StartStep());
        Assert.Equal($"Resume: {tmp.File("run")} has no checkpoint yet (the run stopped before its first save); " +
                     "start it again without Resume", e.Message);
    }
}
