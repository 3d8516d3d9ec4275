using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Images;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Data;

public class TrainingDataTests
{
    private static long[] Values(Tensor labels) => labels.data<long>().ToArray();

    [FashionMnistFact]
    public void A_relabelled_subset_keeps_those_classes_numbered_in_the_order_given()
    {
        using var raw = FashionMnist.Load(FashionMnistSplit.Test);
        using var data =
            TrainingData.Load("fashion-mnist", new DataLoadOptions { Split = FashionMnistSplit.Test, Classes = [7, 5], Relabel = true });
        var original = Values(raw.Labels);
        var labels = Values(data.Labels!);
        Assert.Equal(original.Count(l => l is 5 or 7), data.Count);
        Assert.Equal(original.Count(l => l == 7), labels.Count(l => l == 0));
        Assert.Equal(original.Count(l => l == 5), labels.Count(l => l == 1));
        Assert.Equal(["Sneaker", "Sandal"], data.ClassNames);
        Assert.Equal([7, 5], data.Subset!);
        Assert.True(data.Images);
        Assert.Equal(new long[] { 1, 28, 28 }, data.SampleShape);
        Assert.Null(data.Range);
        Assert.Contains("(fashion-mnist:test classes=7,5)", data.Provenance.Source);
        // The first kept example is the first 5 or 7 of the split, relabelled.
        int first = Array.FindIndex(original, l => l is 5 or 7);
        Assert.Equal(original[first] == 7 ? 0 : 1, labels[0]);
        Assert.True(data.Examples[0].allclose(raw.Images[first]));
    }

    [FashionMnistFact]
    public void A_subset_without_relabelling_keeps_the_original_labels_and_names_and_a_limit_keeps_the_first_examples()
    {
        using var raw = FashionMnist.Load(FashionMnistSplit.Test);
        using var data = TrainingData.Load("Fashion-MNIST", new DataLoadOptions { Split = FashionMnistSplit.Test, Classes = [9, 1] });
        Assert.Equal([1L, 9L], Values(data.Labels!).Distinct().Order());
        Assert.Equal(FashionMnist.ClassNames, data.ClassNames);
        Assert.Equal("fashion-mnist", data.Name);

        using var limited = TrainingData.Load("fashion-mnist", new DataLoadOptions { Split = FashionMnistSplit.Test, Limit = 50 });
        Assert.Equal(50, limited.Count);
        Assert.Equal(Values(raw.Labels).Take(50), Values(limited.Labels!));
        Assert.Contains("first=50", limited.Provenance.Source);
        Assert.Equal(64, limited.Provenance.Sha256!.Length);

        using var whole = TrainingData.Load("fashion-mnist", new DataLoadOptions { Split = FashionMnistSplit.Test });
        Assert.Equal(raw.Count, whole.Count);
        Assert.Null(whole.Subset);
        Assert.DoesNotContain("(", whole.Provenance.Source);
    }

    [Fact]
    public void A_toy_set_is_generated_from_points_and_seed_and_described_by_them()
    {
        long before = TensorCounts.Live;
        TrainingData.Load("moons", new DataLoadOptions { Points = 300, Seed = 4 }).Dispose();
        Assert.Equal(before, TensorCounts.Live);
        using var data = TrainingData.Load("Moons", new DataLoadOptions { Points = 300, Seed = 4 });
        using var expected = ToyData.Generate("moons", 300, 4, dtype: ScalarType.Float32);
        Assert.True(data.Examples.allclose(expected));
        Assert.Equal("moons", data.Name);
        Assert.Equal("toy:moons points=300 seed=4", data.Provenance.Source);
        Assert.Equal(300 * 2 * 4, data.Provenance.Bytes);
        Assert.Equal(64, data.Provenance.Sha256!.Length);
        Assert.False(data.Images);
        Assert.Null(data.Labels);
        Assert.Empty(data.ClassNames);
        Assert.Equal(new long[] { 2 }, data.SampleShape);
        Assert.Equal(expected.min().ToDouble(), data.Range!.Value.Low, 6);
        Assert.Equal(expected.max().ToDouble(), data.Range!.Value.High, 6);
        using var again = TrainingData.Load("moons", new DataLoadOptions { Points = 300, Seed = 4 });
        using var other = TrainingData.Load("moons", new DataLoadOptions { Points = 300, Seed = 5 });
        Assert.Equal(data.Provenance.Sha256, again.Provenance.Sha256);
        Assert.NotEqual(data.Provenance.Sha256, other.Provenance.Sha256);
    }

    [Fact]
    public void A_numeric_csv_is_one_vector_per_row_with_the_file_as_provenance()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("points.csv");
        File.WriteAllText(path, "x,y\n1.5,-2\n0,4\n3,0.25\n");
        using var data = TrainingData.Load(path, new DataLoadOptions());
        Assert.Equal(ScalarType.Float32, data.Examples.dtype);
        Assert.Equal(new[] { 1.5f, -2f, 0f, 4f, 3f, 0.25f }, data.Examples.data<float>().ToArray());
        Assert.Equal("points.csv", data.Name);
        Assert.Equal(Path.GetFullPath(path), data.Provenance.Source);
        Assert.Equal(FileHash.Sha256(path), data.Provenance.Sha256);
        Assert.Equal((-2.0, 4.0), data.Range);
        Assert.False(data.Images);
        Assert.Throws<LoomUsageException>(() => data.ToDataset(withLabels: true));
        Assert.Equal(3, data.ToDataset(withLabels: false).Count);
    }

    [Fact]
    public void A_folder_of_pngs_is_read_in_name_order_as_grey_images_when_allowed()
    {
        using var tmp = new TempFolder();
        var folder = Path.Combine(tmp.Path, "shapes");
        Directory.CreateDirectory(folder);
        using (var grey = torch.arange(64, dtype: ScalarType.Float32).reshape(1, 8, 8) / 255f)
        {
            Png.Write(Path.Combine(folder, "b.png"), grey);
            Png.Write(Path.Combine(folder, "c.png"), grey.flip(2));
            using var colour = torch.cat([grey, grey, grey]);
            Png.Write(Path.Combine(folder, "a.png"), colour);
        }
        long before = TensorCounts.Live;
        TrainingData.Load(folder, new DataLoadOptions { AllowPngFolder = true }).Dispose();
        Assert.Equal(before, TensorCounts.Live);
        using (var scope = torch.NewDisposeScope())
        using (var data = TrainingData.Load(folder, new DataLoadOptions { AllowPngFolder = true }))
        {
            Assert.Equal(new long[] { 3, 1, 8, 8 }, data.Examples.shape);
            Assert.Equal(new long[] { 1, 8, 8 }, data.SampleShape);
            Assert.True(data.Images);
            Assert.Null(data.Labels);
            Assert.Equal("shapes", data.Name);
            Assert.Contains("(3 PNGs;", data.Provenance.Source);
            Assert.Equal(Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length), data.Provenance.Bytes);
            using var expected = torch.arange(64, dtype: ScalarType.Float32).reshape(1, 8, 8) / 255f;
            Assert.True(data.Examples[0].allclose(expected, atol: 1e-6), "a.png: colour averaged to grey");
            Assert.True(data.Examples[2].allclose(expected.flip(2), atol: 1e-6), "c.png comes last");
        }
        using (var limited = TrainingData.Load(folder, new DataLoadOptions { AllowPngFolder = true, Limit = 2 }))
            Assert.Equal(2, limited.Count);
        Assert.Contains("is a folder", Assert.Throws<LoomDataException>(() => TrainingData.Load(folder, new DataLoadOptions())).Message);

        using (var wide = torch.zeros(1, 8, 10))
            Png.Write(Path.Combine(folder, "d.png"), wide);
        Assert.Contains("all images need one size", Assert.Throws<LoomDataException>(() => PngFolder.Load(folder)).Message);
        var empty = Path.Combine(tmp.Path, "empty");
        Directory.CreateDirectory(empty);
        Assert.Equal($"Data: {empty} holds no .png files", Assert.Throws<LoomDataException>(() => PngFolder.Load(empty)).Message);
        Assert.Contains("DataA: nowhere: no such folder",
            Assert.Throws<LoomDataException>(() => PngFolder.Load("nowhere", "DataA")).Message);
    }

    [Fact]
    public void Bad_class_ids_and_classes_on_data_without_labels_are_usage_errors()
    {
        Assert.Equal("Classes: class 12 is out of range; Fashion-MNIST classes are 0–9",
            Assert.Throws<LoomUsageException>(() => TrainingData.Load("fashion-mnist", new DataLoadOptions { Classes = [3, 12] })).Message);
        Assert.Equal("Classes: class 3 is listed twice",
            Assert.Throws<LoomUsageException>(() => TrainingData.Load("fashion-mnist", new DataLoadOptions { Classes = [3, 3] })).Message);
        Assert.Equal("Classes: 'moons' has no class labels (only fashion-mnist has)",
            Assert.Throws<LoomUsageException>(() => TrainingData.Load("moons", new DataLoadOptions { Classes = [1] })).Message);
        Assert.Contains("Limit",
            Assert.Throws<LoomUsageException>(() => TrainingData.Load("moons", new DataLoadOptions { Limit = -1 })).Message);
    }

    [Fact]
    public void A_missing_file_names_the_known_sources()
    {
        var error = Assert.Throws<LoomDataException>(() => TrainingData.Load("nowhere.csv", new DataLoadOptions()));
        Assert.Equal(
            $"Data: nowhere.csv: no such file, and not fashion-mnist or a toy set ({string.Join(", ", ToyData.Names)})", error.Message);
    }
}
