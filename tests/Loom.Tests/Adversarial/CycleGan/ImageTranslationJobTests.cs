using Loom.Core;
using Loom.Models.Adversarial.CycleGan;

namespace Loom.Tests.Adversarial.CycleGan;

/// <summary><see cref="ImageTranslationJob.Validate"/>: a bad job is a typed error naming its option, before any model loads.</summary>
public sealed class ImageTranslationJobTests
{
    [Fact]
    public void Bad_jobs_name_the_option()
    {
        foreach (var (job, path, option) in new (ImageTranslationJob, string, string)[]
        {
            (new() { Image = "a.png" }, "out.jpg", "Out"),
            (new(), "out.png", nameof(ImageTranslationJob.Image)),
            (new() { Image = "a.png", Images = "folder" }, "out.png", nameof(ImageTranslationJob.Image)),
            (new() { Images = "folder", Count = 0 }, "out.png", nameof(ImageTranslationJob.Count)),
            (new() { Image = "a.png", Cycle = true }, "out.safetensors", nameof(ImageTranslationJob.Cycle)),
        })
            Assert.Equal(option, Assert.Throws<LoomUsageException>(() => job.Validate(path)).Option);
        new ImageTranslationJob { Images = "folder", Cycle = true }.Validate("strip.PNG");
        new ImageTranslationJob { Image = "a.png" }.Validate("t.safetensors");
    }
}
