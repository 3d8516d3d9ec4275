using Loom.Core;
using Loom.Evaluation.Augmentation;

namespace Loom.Tests.Evaluation.Augmentation;

/// <summary>The study's options: defaults pass, each out-of-range setting is refused naming its option, ratios parse.</summary>
public class AugmentationStudyOptionsTests
{
    private static readonly AugmentationStudyOptions Valid = new() { Generator = "ckpt" };

    [Fact]
    public void Defaults_with_a_generator_are_valid_and_clone_is_a_copy()
    {
        Valid.Validate();
        Assert.Equal([0, 0.5, 1, 2], Valid.Ratios);
        var copy = Valid.Clone();
        Assert.NotSame(Valid, copy);
        Assert.Equal(Valid.PerClass, copy.PerClass);
        Assert.Equal(Valid.Generator, copy.Generator);
    }

    public static TheoryData<Func<AugmentationStudyOptions>, string> BadOptions => new()
    {
        { () => new AugmentationStudyOptions(), "Generator" },
        { () => new AugmentationStudyOptions { Generator = "g", PerClass = 0 }, "PerClass" },
        { () => new AugmentationStudyOptions { Generator = "g", Ratios = [] }, "Ratios" },
        { () => new AugmentationStudyOptions { Generator = "g", Ratios = [0, -1] }, "Ratios" },
        { () => new AugmentationStudyOptions { Generator = "g", Ratios = [0, double.NaN] }, "Ratios" },
        { () => new AugmentationStudyOptions { Generator = "g", Ratios = [1, 1] }, "Ratios" },
        { () => new AugmentationStudyOptions { Generator = "g", Seeds = 0 }, "Seeds" },
        { () => new AugmentationStudyOptions { Generator = "g", Epochs = 0 }, "Epochs" },
        { () => new AugmentationStudyOptions { Generator = "g", LearningRate = 0 }, "LearningRate" },
        { () => new AugmentationStudyOptions { Generator = "g", BatchSize = 0 }, "BatchSize" },
        { () => new AugmentationStudyOptions { Generator = "g", PerClass = 2, BatchSize = 21 }, "BatchSize" },
        { () => new AugmentationStudyOptions { Generator = "g", TestSize = -1 }, "TestSize" },
        { () => new AugmentationStudyOptions { Generator = "g", Temperature = 0 }, "Temperature" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Each_bad_setting_is_refused_naming_its_option(Func<AugmentationStudyOptions> options, string option)
    {
        var error = Assert.Throws<LoomUsageException>(() => options().Validate());
        Assert.Equal(option, error.Option);
    }

    [Fact]
    public void Ratios_parse_invariantly_and_refuse_words()
    {
        Assert.Equal([0, 0.5, 1, 2.25], AugmentationStudyOptions.ParseRatios("0, 0.5,1,2.25"));
        var error = Assert.Throws<LoomUsageException>(() => AugmentationStudyOptions.ParseRatios("0,half"));
        Assert.Equal("Ratios", error.Option);
        Assert.Contains("'half'", error.Message);
    }
}
