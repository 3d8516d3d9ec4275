using Loom.IO;
using Loom.IO.Images;
using Loom.Tests.Data;
using Loom.Tests.Support;

namespace Loom.Tests.Safety.Images;

/// <summary><c>loom sample --memorization-data</c> for an image model through the real binary: samples that copy a training
/// image are reported naming it, and withheld when the memorization action is block.</summary>
public class ImageMemorizationCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-image-memorization");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    [FashionMnistFact]
    public void SamplesThatCopyATrainingImageAreNamedAndBlocked()
    {
        var trained = Loom("train", "vae", "--data", "fashion-mnist", "--classes", "1,7", "--hidden", "16", "--latent-dim", "2",
            "--batch-size", "16", "--steps", "3", "--eval-k", "0", "--eval-n", "20", "--checkpoint-every", "0", "--seed", "3",
            "--out", "m");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        var first = Loom("sample", "m", "--n", "3", "--seed", "5", "--out", "first.safetensors");
        Assert.True(first.ExitCode == 0, first.ToString());
        // The "training set" is the model's own (watermarked) output, so the same seed reproduces near-copies of it.
        var folder = Directory.CreateDirectory(Path.Combine(work, "seen")).FullName;
        using (var samples = SampleTensorFile.Load(Path.Combine(work, "first.safetensors")))
            for (int i = 0; i < 3; i++)
                Png.Write(Path.Combine(folder, $"copy{i}.png"), samples.Values[i]);

        var flagged = Loom("sample", "m", "--n", "3", "--seed", "5", "--memorization-data", "seen", "--memorization-distance", "0.05",
            "--out", "flagged.png");
        Assert.True(flagged.ExitCode == 0, flagged.ToString());
        for (int i = 0; i < 3; i++)
            Assert.Matches($@"loom: image {i + 1} flagged: memorization 0\.\d\d, near-copy of seen image \d \(copy\d\.png\) \(RMS distance",
                flagged.Stderr);

        var blocked = Loom("sample", "m", "--n", "3", "--seed", "5", "--memorization-data", "seen", "--memorization-distance", "0.05",
            "--moderation-action", "memorization=block", "--out", "blocked.safetensors");
        Assert.True(blocked.ExitCode == 0, blocked.ToString());
        Assert.Contains("loom: image 3 withheld: memorization", blocked.Stderr);
        using var withheld = SampleTensorFile.Load(Path.Combine(work, "blocked.safetensors"));
        Assert.Equal(3, withheld.Values.shape[0]);
        // Blank images, apart from the invisible watermark that still goes on every image handed out.
        Assert.True(withheld.Values.abs().max().item<float>() < 0.1, "withheld images are blank");
    }

    [FashionMnistFact]
    public void BadMemorizationFlagsAreOneLine()
    {
        var trained = Loom("train", "vae", "--data", "fashion-mnist", "--classes", "1", "--hidden", "8", "--latent-dim", "2",
            "--batch-size", "8", "--steps", "1", "--eval-k", "0", "--eval-n", "10", "--checkpoint-every", "0", "--out", "m");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        File.WriteAllText(Path.Combine(work, "train.txt"), "one two three four five six seven eight nine ten\n");
        CliAssert.OneLineError(Loom("sample", "m", "--memorization-data", "train.txt"), 2, "makes images; give fashion-mnist");
        CliAssert.OneLineError(Loom("sample", "m", "--memorization-data", "fashion-mnist", "--memorization-distance", "2"), 2,
            "--memorization-distance");
        CliAssert.OneLineError(Loom("sample", "m", "--memorization-distance", "0.1"), 2, "applies to training images");
    }
}
