using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Suite;
using Loom.IO;
using Loom.Models;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Evaluation;

/// <summary>Labels of conditional samples: their class names survive a .safetensors file and find the reference network's ids.</summary>
public class SampleLabelTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-sample-labels");

    [Fact]
    public void Names_map_subset_labels_to_reference_ids_ignoring_case_and_punctuation()
    {
        using var labels = torch.tensor(new long[] { 1, 0, 1, 2 });
        using var mapped = ReferenceLabels.Map(labels, ["sneaker", "Sandal", "T-SHIRT top"], FashionMnist.ClassNames, out var problem);
        Assert.Null(problem);
        Assert.Equal(new long[] { 5, 7, 5, 0 }, mapped!.data<long>().ToArray());
    }

    [Fact]
    public void Without_names_labels_are_reference_ids_and_must_be_in_range()
    {
        using var ids = torch.tensor(new long[] { 9, 0, 3 });
        using var same = ReferenceLabels.Map(ids, null, FashionMnist.ClassNames, out var none);
        Assert.Null(none);
        Assert.Equal(new long[] { 9, 0, 3 }, same!.data<long>().ToArray());

        using var outside = torch.tensor(new long[] { 10 });
        Assert.Null(ReferenceLabels.Map(outside, null, FashionMnist.ClassNames, out var range));
        Assert.Contains("outside", range);
        Assert.Null(ReferenceLabels.Map(ids, ["Sandal", "Sneaker"], FashionMnist.ClassNames, out var tooFew));
        Assert.Contains("2 class names", tooFew);
        Assert.Null(ReferenceLabels.Map(torch.tensor(new long[] { 0 }), ["left"], FashionMnist.ClassNames, out var unknown));
        Assert.Contains("'left'", unknown);
    }

    [Fact]
    public void Sample_files_keep_labels_and_class_names_and_reject_bad_metadata()
    {
        var path = Path.Combine(work, "s.safetensors");
        using (var samples = new TensorSamples(torch.rand(3, 1, 28, 28), torch.tensor(new long[] { 0, 1, 1 }))
        {
            ClassNames = ["Bag", "Trouser"]
        })
            SampleTensorFile.Save(path, samples);
        using (var read = SampleTensorFile.Load(path))
        {
            Assert.Equal(new long[] { 3, 1, 28, 28 }, read.Values.shape);
            Assert.Equal(new long[] { 0, 1, 1 }, read.Labels!.data<long>().ToArray());
            Assert.Equal(["Bag", "Trouser"], read.ClassNames!);
        }

        var plain = Path.Combine(work, "plain.safetensors");
        using (var unlabelled = new TensorSamples(torch.rand(2, 2)) { ClassNames = ["ignored"] })
            SampleTensorFile.Save(plain, unlabelled);
        using (var read = SampleTensorFile.Load(plain))
        {
            Assert.Null(read.Labels);
            Assert.Null(read.ClassNames);
        }

        var bad = Path.Combine(work, "bad.safetensors");
        SafeTensorsFile.Save(bad,
            new Dictionary<string, torch.Tensor> { ["samples"] = torch.rand(2, 2), ["labels"] = torch.zeros(2, torch.ScalarType.Int64) },
            new Dictionary<string, string> { ["class_names"] = "{\"not\": \"a list\"}" });
        Assert.Contains("class_names", Assert.Throws<LoomDataException>(() => SampleTensorFile.Load(bad)).Message);
    }
}
