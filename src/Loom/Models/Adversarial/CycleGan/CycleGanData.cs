using System.Text;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>One image domain: its name, the Fashion-MNIST class it came from (if any), its images [n, C, H, W] in [−1, 1] and where they came from.</summary>
public sealed record CycleGanDomain(string Name, int? FashionMnistClass, TensorDataset Images, DataProvenance Provenance);

/// <summary>
/// The two unpaired training domains of a CycleGAN: two Fashion-MNIST classes of the train split, or two folders of
/// PNG images of one size (colour is averaged to grey). Owns the image tensors.
/// </summary>
public sealed class CycleGanData : IDisposable
{
    private readonly Tensor imagesA;
    private readonly Tensor imagesB;

    private CycleGanData(string name, Tensor a, string nameA, int? classA, DataProvenance provenanceA, Tensor b, string nameB, int? classB, DataProvenance provenanceB)
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
    /// Parses a Fashion-MNIST class: an index 0–9 or a class name, case and punctuation ignored ("sandal", "Ankle boot",
    /// "ankle-boot", "t-shirt"). Throws a usage error naming <paramref name="option"/> and the classes.
    /// </summary>
    public static int ParseFashionMnistClass(string text, string option)
    {
        var names = FashionMnist.ClassNames;
        if (int.TryParse(text.Trim(), out int index))
            return index >= 0 && index < names.Count ? index
                : throw new LoomUsageException($"{option}: class {index} is out of range; Fashion-MNIST classes are 0–{names.Count - 1}");
        var wanted = Letters(text);
        for (int i = 0; i < names.Count; i++)
            if (Letters(names[i]) == wanted || names[i].Split('/').Any(part => Letters(part) == wanted))
                return i;
        throw new LoomUsageException($"{option}: '{text}' is not a Fashion-MNIST class; use 0–9 or one of {string.Join(", ", names.Select(n => n.ToLowerInvariant()))}");
    }

    /// <summary>Two classes of the Fashion-MNIST train split (e.g. 5 = sandal, 7 = sneaker).</summary>
    public static CycleGanData FromFashionMnist(string domainA, string domainB)
    {
        int a = ParseFashionMnistClass(domainA, "--domain-a"), b = ParseFashionMnistClass(domainB, "--domain-b");
        if (a == b)
            throw new LoomUsageException($"--domain-a and --domain-b are the same class ({FashionMnist.ClassNames[a]}); pick two different classes");
        using var scope = torch.NewDisposeScope();
        using var data = FashionMnist.Load(FashionMnistSplit.Train);
        Tensor Class(int c) => data.Images.index_select(0, torch.nonzero(data.Labels.eq(c)).flatten()).mul(2).sub(1).MoveToOuterDisposeScope();
        var (imageFile, _) = FashionMnist.FileNames(FashionMnistSplit.Train);
        var path = Path.Combine(data.Folder, imageFile);
        DataProvenance Provenance(int c) => File.Exists(path)
            ? DataProvenance.OfFile(path) with { Source = $"{Path.GetFullPath(path)} class {c} ({FashionMnist.ClassNames[c]})" }
            : new DataProvenance($"{FashionMnist.Name}:train class {c}", "", 0);
        return new CycleGanData(FashionMnist.Name, Class(a), FashionMnist.ClassNames[a], a, Provenance(a), Class(b), FashionMnist.ClassNames[b], b, Provenance(b));
    }

    /// <summary>Every <c>*.png</c> in two folders (sorted by name); all images must share one size.</summary>
    public static CycleGanData FromFolders(string folderA, string folderB)
    {
        if (Path.GetFullPath(folderA) == Path.GetFullPath(folderB))
            throw new LoomUsageException($"--data-a and --data-b are the same folder ({folderA}); pick two different domains");
        using var scope = torch.NewDisposeScope();
        var (a, provenanceA) = ReadFolder(folderA, "--data-a");
        var (b, provenanceB) = ReadFolder(folderB, "--data-b");
        if (!a.shape.Skip(1).SequenceEqual(b.shape.Skip(1)))
            throw new LoomDataException($"--data-b: {folderB} holds {b.shape[3]}×{b.shape[2]} images but {folderA} holds {a.shape[3]}×{a.shape[2]}; both domains need one size");
        return new CycleGanData("folders", a.MoveToOuterDisposeScope(), FolderName(folderA), null, provenanceA, b.MoveToOuterDisposeScope(), FolderName(folderB), null, provenanceB);
    }

    private static (Tensor Images, DataProvenance Provenance) ReadFolder(string folder, string option)
    {
        if (!Directory.Exists(folder))
            throw new LoomDataException($"{option}: {folder}: no such folder");
        var files = Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new LoomDataException($"{option}: {folder} holds no .png images");
        var images = new List<Tensor>();
        var digest = new StringBuilder();
        long bytes = 0;
        foreach (var file in files)
        {
            var image = Png.Read(file);
            if (image.shape[0] == 4) image = image.narrow(0, 0, 3);
            image = image.mean([0], keepdim: true);
            if (images.Count > 0 && !image.shape.SequenceEqual(images[0].shape))
                throw new LoomDataException($"{file}: is {image.shape[2]}×{image.shape[1]} but {files[0]} is {images[0].shape[2]}×{images[0].shape[1]}; all images of a domain need one size");
            images.Add(image);
            digest.Append(Path.GetFileName(file)).Append(' ').Append(FileHash.Sha256(file)).Append('\n');
            bytes += new FileInfo(file).Length;
        }
        var provenance = new DataProvenance($"{Path.GetFullPath(folder)} ({files.Length} PNG files)", FileHash.Sha256(Encoding.UTF8.GetBytes(digest.ToString())), bytes);
        return (torch.stack(images, 0).mul(2).sub(1), provenance);
    }

    private static string FolderName(string folder) => new DirectoryInfo(Path.GetFullPath(folder)).Name;

    private static string Letters(string text) => new(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    public void Dispose()
    {
        imagesA.Dispose();
        imagesB.Dispose();
    }
}
