using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>One image domain: its name, the Fashion-MNIST class it came from (if any), its images [n, C, H, W] in [−1, 1] and where they
/// came from.</summary>
public sealed record CycleGanDomain(string Name, int? FashionMnistClass, TensorDataset Images, DataProvenance Provenance);

/// <summary>
/// The two unpaired training domains of a CycleGAN: two Fashion-MNIST classes of the train split, or two folders of
/// PNG images of one size (colour is averaged to grey). Owns the image tensors.
/// </summary>
public sealed class CycleGanData : IDisposable
{
    private readonly Tensor imagesA;
    private readonly Tensor imagesB;

    private CycleGanData(string name, Tensor a, string nameA, int? classA, DataProvenance provenanceA, Tensor b, string nameB,
        int? classB, DataProvenance provenanceB)
    {
        DataName = name;
        imagesA = a;
        imagesB = b;
        A = new CycleGanDomain(nameA, classA, new TensorDataset(a), provenanceA);
        B = new CycleGanDomain(nameB, classB, new TensorDataset(b), provenanceB);
    }

    public CycleGanDomain A { get; }
    public CycleGanDomain B { get; }
    /// <summary><c>fashion-mnist</c> or <c>folders</c>.</summary>
    public string DataName { get; }
    /// <summary>[C, H, W] of every image.</summary>
    public long[] ImageShape => imagesA.shape.Skip(1).ToArray();

    /// <summary>The first <paramref name="count"/> images of a domain (fewer if it has fewer), in [0, 1].</summary>
    public Tensor First(bool domainA, int count)
    {
        var images = domainA ? imagesA : imagesB;
        using var scope = torch.NewDisposeScope();
        return ((images.narrow(0, 0, Math.Min(count, images.shape[0])) + 1) / 2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The domains a recipe names: <paramref name="data"/> fashion-mnist with two classes, or two folders
    /// (<paramref name="dataA"/>, <paramref name="dataB"/>); anything else, or a mix, is a usage error naming the option.
    /// </summary>
    public static CycleGanData Load(string? data, string? domainA, string? domainB, string? dataA, string? dataB)
    {
        if (dataA is not null || dataB is not null)
        {
            if (data is not null)
                throw LoomUsageException.ForOption("Data",
                    "give either a data set with two classes or two folders (DataA and DataB), not both");
            if (domainA is not null || domainB is not null)
                throw LoomUsageException.ForOption(domainA is not null ? "DomainA" : "DomainB",
                    "picks a Fashion-MNIST class; with DataA and DataB the folders are the domains");
            if (dataA is null || dataB is null)
                throw LoomUsageException.ForOption(dataA is null ? "DataA" : "DataB", "missing; two folders are needed, one per domain");
            return FromFolders(dataA, dataB);
        }
        if (data is null)
            throw LoomUsageException.ForOption("Data",
                "missing; give fashion-mnist with two classes (DomainA and DomainB), or two folders (DataA and DataB)");
        if (!string.Equals(data, FashionMnist.Name, StringComparison.OrdinalIgnoreCase))
            throw LoomUsageException.ForOption("Data",
                $"'{data}' is not supported; use fashion-mnist, or two folders of PNGs as DataA and DataB");
        if (domainA is null || domainB is null)
            throw LoomUsageException.ForOption(domainA is null ? "DomainA" : "DomainB",
                "missing; fashion-mnist needs two classes, e.g. DomainA sandal and DomainB sneaker");
        return FromFashionMnist(domainA, domainB);
    }

    /// <summary>Two classes of the Fashion-MNIST train split (e.g. 5 = sandal, 7 = sneaker); see
    /// <see cref="FashionMnistClasses.ParseOne"/>.</summary>
    public static CycleGanData FromFashionMnist(string domainA, string domainB)
    {
        int a = FashionMnistClasses.ParseOne(domainA, "DomainA"), b = FashionMnistClasses.ParseOne(domainB, "DomainB");
        if (a == b)
            throw LoomUsageException.ForOption("DomainB",
                $"DomainA and DomainB are the same class ({FashionMnist.ClassNames[a]}); pick two different classes");
        using var scope = torch.NewDisposeScope();
        using var data = TrainingData.Load(FashionMnist.Name, new DataLoadOptions());
        Tensor Class(int c) =>
            data.Examples.index_select(0, torch.nonzero(data.Labels!.eq(c)).flatten()).mul(2).sub(1).MoveToOuterDisposeScope();
        DataProvenance Provenance(int c) =>
            data.Provenance with { Source = $"{data.Provenance.Source} class {c} ({FashionMnist.ClassNames[c]})" };
        return new CycleGanData(FashionMnist.Name, Class(a), FashionMnist.ClassNames[a], a, Provenance(a), Class(b),
            FashionMnist.ClassNames[b], b, Provenance(b));
    }

    /// <summary>Every <c>*.png</c> in two folders (sorted by name, see <see cref="PngFolder"/>); all images must share one size.</summary>
    public static CycleGanData FromFolders(string folderA, string folderB)
    {
        if (Path.GetFullPath(folderA) == Path.GetFullPath(folderB))
            throw LoomUsageException.ForOption("DataB", $"DataA and DataB are the same folder ({folderA}); pick two different domains");
        using var scope = torch.NewDisposeScope();
        var a = PngFolder.Load(folderA, "DataA");
        var b = PngFolder.Load(folderB, "DataB");
        if (!a.SampleShape.SequenceEqual(b.SampleShape))
            throw LoomDataException.ForOption("DataB", $"{folderB} holds {b.SampleShape[2]}×{b.SampleShape[1]} images but {folderA} holds "
                + $"{a.SampleShape[2]}×{a.SampleShape[1]}; both domains need one size");
        // The loaded images are ours alone: mapped to [−1, 1] in place.
        return new CycleGanData("folders", a.Examples.mul_(2).sub_(1).MoveToOuterDisposeScope(), a.Name, null, a.Provenance,
            b.Examples.mul_(2).sub_(1).MoveToOuterDisposeScope(), b.Name, null, b.Provenance);
    }

    public void Dispose()
    {
        imagesA.Dispose();
        imagesB.Dispose();
    }
}
